import type { WorkerStatus } from '#contracts';

export interface LivenessPolicy {
  heartbeatIntervalS: number;
  /** Heartbeats missed before a worker is offline and its running tasks are lost. */
  offlineAfterMissed: number;
}

export const DEFAULT_LIVENESS: LivenessPolicy = { heartbeatIntervalS: 10, offlineAfterMissed: 3 };

/** active while heartbeats arrive on time; stale after one is late; offline after N missed. */
export function workerStatusAt(lastHeartbeat: Date | null, now: Date, policy: LivenessPolicy): WorkerStatus {
  if (!lastHeartbeat) return 'offline';
  const ageMs = now.getTime() - lastHeartbeat.getTime();
  const intervalMs = policy.heartbeatIntervalS * 1000;
  if (ageMs <= intervalMs * 1.5) return 'active';
  if (ageMs <= intervalMs * policy.offlineAfterMissed) return 'stale';
  return 'offline';
}

/** Heartbeats older than this mean offline. */
export const offlineCutoff = (now: Date, policy: LivenessPolicy): Date =>
  new Date(now.getTime() - policy.heartbeatIntervalS * 1000 * policy.offlineAfterMissed);
