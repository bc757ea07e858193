import { type BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { SESSION_SYNC_LIMITS, type SyncedSession } from '#contracts';
import type { Logger } from 'pino';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import type { WorkerConfig } from '../config/worker-config';
import { type Clock, jittered } from '../system/clock';
import { CodebaseDirectory } from '../tasks/codebase-directory';
import { CLOCK, LOGGER, WORKER_CONFIG } from '../tokens';
import { byUpdatedDesc, type SessionReader } from './session-reader';
import { SESSION_READERS } from './session-readers';
import { fitBatches } from './sync-batches';

/** What the control plane last accepted for a session: a change in either means send it again. */
type Fingerprint = string;
const fingerprint = (s: SyncedSession): Fingerprint => `${s.updated_at ?? ''}|${s.message_count ?? ''}`;
const sessionKey = (s: Pick<SyncedSession, 'agent_type' | 'id'>): string => `${s.agent_type ?? 'opencode'}:${s.id}`;

/** Listed without messages (OpenCode left its export out): only a newer updated_at counts. */
function isChanged(s: SyncedSession, known: Fingerprint | undefined): boolean {
  if (known === undefined) return true;
  if (s.messages === undefined) return !known.startsWith(`${s.updated_at ?? ''}|`);
  return known !== fingerprint(s);
}

/**
 * Pushes the agents' sessions of every owned codebase to the control plane at the interval
 * the server sets at registration (0: never). Sends what changed since the last accepted
 * sync of that codebase (everything the first time). One run at a time; a codebase that
 * fails (API error, unreadable store) is logged and the others go on.
 */
@Injectable()
export class SessionSyncService implements BeforeApplicationShutdown {
  private readonly synced = new Map<string, Map<string, Fingerprint>>();
  private readonly soon = new Set<string>();
  private loop: Promise<void> | null = null;
  private stopped = new AbortController();
  private wake = new AbortController();
  private running: Promise<void> = Promise.resolve();

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly client: ControlPlaneClient,
    private readonly codebases: CodebaseDirectory,
    @Inject(SESSION_READERS) private readonly readers: SessionReader[],
  ) {}

  get started(): boolean {
    return this.loop !== null;
  }

  /** Syncs at once, then every `intervalS` seconds until stop(). 0 or less: disabled. */
  start(intervalS: number | undefined): void {
    if (this.loop) return;
    if (!intervalS || intervalS <= 0) {
      this.logger.info('session sync disabled by the server (session_sync_interval_s = 0)');
      return;
    }
    if (this.readers.length === 0) {
      this.logger.info('session sync: no installed agent CLI keeps sessions this worker can read');
      return;
    }
    this.logger.info({ session_sync_interval_s: intervalS, tools: this.readers.map((r) => r.tool) }, 'session sync started');
    this.stopped = new AbortController();
    this.loop = (async () => {
      let dueAt = 0;
      while (!this.stopped.signal.aborted) {
        if (this.clock.now() >= dueAt) {
          this.soon.clear();
          await this.syncNow().catch((err: Error) => this.logger.error({ err: err.message }, 'session sync pass failed'));
          dueAt = this.clock.now() + jittered(intervalS * 1000);
        } else if (this.soon.size > 0) {
          await this.syncNow(this.takeSoon()).catch((err: Error) => this.logger.error({ err: err.message }, 'session sync pass failed'));
        }
        if (this.soon.size > 0 || this.stopped.signal.aborted) continue;
        this.wake = new AbortController();
        await this.clock.sleep(dueAt - this.clock.now(), AbortSignal.any([this.stopped.signal, this.wake.signal]));
      }
    })();
  }

  /**
   * A task just ended in this codebase: sync it now rather than at the next interval. With
   * `tool`: only when that tool keeps sessions this worker reads (a custom command has none).
   */
  syncSoon(codebaseId: string, tool?: string): void {
    if (!this.loop || (tool !== undefined && !this.readers.some((r) => r.tool === tool))) return;
    this.soon.add(codebaseId);
    this.wake.abort();
  }

  /** Aborts a pass in progress (readers stop between files, a sync request is cancelled, not retried). */
  async stop(): Promise<void> {
    this.stopped.abort();
    await this.loop;
    this.loop = null;
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  /** One pass over `codebaseIds` (default: every owned codebase); waits for a pass in progress first. */
  syncNow(codebaseIds?: string[]): Promise<void> {
    const next = this.running.then(() => this.pass(codebaseIds));
    this.running = next.catch(() => undefined);
    return next;
  }

  private async pass(codebaseIds?: string[]): Promise<void> {
    const owned = new Set(this.codebases.ids());
    for (const id of this.synced.keys()) if (!owned.has(id)) this.synced.delete(id);
    for (const id of codebaseIds ?? [...owned]) {
      if (this.stopped.signal.aborted) return;
      const codebase = this.codebases.get(id);
      if (!codebase) continue;
      try {
        await this.syncCodebase(id, codebase.path);
      } catch (err) {
        this.logger.warn({ codebase_id: id, err: (err as Error).message }, 'session sync failed for this codebase; next try at the next interval');
      }
    }
  }

  private async syncCodebase(codebaseId: string, path: string): Promise<void> {
    const first = !this.synced.has(codebaseId);
    const known = this.synced.get(codebaseId) ?? new Map<string, Fingerprint>();
    const all: SyncedSession[] = [];
    for (const reader of this.readers) {
      try {
        const isUnchanged = (id: string, updatedAt: string | null): boolean =>
          known.get(sessionKey({ agent_type: reader.tool, id }))?.startsWith(`${updatedAt ?? ''}|`) ?? false;
        for (const s of await reader.list(path, { isUnchanged, signal: this.stopped.signal })) all.push({ ...s, agent_type: s.agent_type ?? reader.tool });
      } catch (err) {
        this.logger.warn({ codebase_id: codebaseId, tool: reader.tool, err: (err as Error).message }, 'could not read agent sessions');
      }
    }
    if (this.stopped.signal.aborted) return; // what was read may be partial: nothing to send
    const changed = all
      .filter((s) => isChanged(s, known.get(sessionKey(s))))
      .sort(byUpdatedDesc)
      .slice(0, SESSION_SYNC_LIMITS.maxSessions);
    if (changed.length === 0) {
      if (first) this.synced.set(codebaseId, known);
      return;
    }
    for (const batch of fitBatches(changed)) {
      const res = await this.client.syncSessions(codebaseId, { worker_id: this.config.workerId, sessions: batch }, this.stopped.signal);
      // Rejected ones (e.g. the id belongs to another codebase) would be rejected again: not retried until they change.
      if (res?.rejected?.length) this.logger.warn({ codebase_id: codebaseId, rejected: res.rejected.slice(0, 10) }, 'the control plane did not store some sessions');
      // Listed without messages (an export left for later): not settled, so sent again next time.
      for (const s of batch) if (s.messages !== undefined) known.set(sessionKey(s), fingerprint(s));
      this.synced.set(codebaseId, known);
    }
    this.logger.info({ codebase_id: codebaseId, sessions: changed.length }, 'agent sessions synced');
  }

  private takeSoon(): string[] {
    const ids = [...this.soon];
    this.soon.clear();
    return ids;
  }
}
