import type { WorkerStatus, WorkerView } from '#contracts';
import { type LivenessPolicy, workerStatusAt } from '#domain';
import type { WorkerEntity } from './worker.entity';

/** An unregistered (or swept) worker is offline whatever its last heartbeat says. */
export function workerStatusOf(w: Pick<WorkerEntity, 'status' | 'last_heartbeat_at'>, now: Date, policy: LivenessPolicy): WorkerStatus {
  if (w.status === 'offline') return 'offline';
  return workerStatusAt(w.last_heartbeat_at ? new Date(w.last_heartbeat_at) : null, now, policy);
}

export const iso = (d: Date | string | null | undefined): string | null => (d == null ? null : new Date(d).toISOString());

export function toWorkerView(w: WorkerEntity, codebases: number, now: Date, policy: LivenessPolicy): WorkerView {
  return {
    id: w.id,
    name: w.name,
    hostname: w.hostname,
    role: w.role,
    capabilities: w.capabilities ?? [],
    models: w.models ?? [],
    agents: w.agents ?? [],
    max_concurrent: w.max_concurrent,
    status: workerStatusOf(w, now, policy),
    last_heartbeat: iso(w.last_heartbeat_at),
    resources: w.resources,
    version: w.version,
    registered_at: iso(w.registered_at)!,
    tasks_completed: w.tasks_completed,
    tasks_failed: w.tasks_failed,
    codebases,
  };
}
