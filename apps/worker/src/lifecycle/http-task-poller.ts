import { Inject, Injectable } from '@nestjs/common';
import { REGISTER_CODEBASE_AGENT_TYPE, type TaskJob, type TaskView } from '#contracts';
import type { Logger } from 'pino';
import type { WorkerConfig } from '../config/worker-config';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import type { Clock } from '../system/clock';
import { ExecuteTaskUseCase } from '../tasks/execute-task.usecase';
import { SlotSemaphore } from '../tasks/slot-semaphore';
import { CLOCK, LOGGER, WORKER_CONFIG } from '../tokens';

/**
 * The HTTP fallback when Redis cannot be reached (seed 000 "Task Polling"): every
 * poll_interval, list this worker's pending tasks and claim them with the same claim
 * protocol as the queues (409 = another delivery got it). One task per codebase at a time.
 */
@Injectable()
export class HttpTaskPoller {
  private loop: Promise<void> | null = null;
  private stopped = new AbortController();
  private readonly busyCodebases = new Set<string>();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly client: ControlPlaneClient,
    private readonly executeTask: ExecuteTaskUseCase,
    private readonly slots: SlotSemaphore,
  ) {}

  get running(): boolean {
    return this.loop !== null;
  }

  start(): void {
    if (this.loop) return;
    this.stopped = new AbortController();
    this.logger.warn({ poll_interval_s: this.config.pollIntervalS }, 'HTTP fallback: polling the control plane for pending tasks');
    this.loop = (async () => {
      while (!this.stopped.signal.aborted) {
        await this.pollOnce().catch((err: Error) => this.logger.debug({ err: err.message }, 'poll failed'));
        await this.clock.sleep(this.config.pollIntervalS * 1000, this.stopped.signal);
      }
    })();
  }

  /** Stops polling; tasks already started go on (they are tracked as running tasks). */
  async stop(): Promise<void> {
    this.stopped.abort();
    await this.loop;
    this.loop = null;
  }

  /** Waits for the tasks this poller started. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  async pollOnce(): Promise<void> {
    if (this.slots.available === 0) return;
    const tasks = (await this.client.listPendingTasks(this.config.workerId))
      .filter((t) => t.status === 'pending' && t.agent_type !== REGISTER_CODEBASE_AGENT_TYPE)
      .sort((a, b) => b.priority - a.priority || a.created_at.localeCompare(b.created_at));
    for (const view of tasks) {
      if (this.slots.available === 0 || this.stopped.signal.aborted) break;
      const key = view.codebase_id ?? `worker:${this.config.workerId}`;
      if (this.busyCodebases.has(key)) continue;
      this.busyCodebases.add(key);
      const p = this.executeTask
        .execute(taskJobFromView(view, this.config.workerId), { signal: this.stopped.signal })
        .catch((err: Error) => this.logger.error({ task_id: view.id, err: err.message }, 'task failed in the worker'))
        .finally(() => {
          this.busyCodebases.delete(key);
          this.inFlight.delete(p);
        });
      this.inFlight.add(p);
    }
  }
}

const metaString = (m: Record<string, unknown>, k: string): string | null => (typeof m[k] === 'string' && m[k] !== '' ? (m[k] as string) : null);

export function taskJobFromView(view: TaskView, workerId: string): TaskJob {
  const meta = view.metadata ?? {};
  const timeout = meta.timeout_s;
  return {
    task_id: view.id,
    attempt: view.attempt,
    codebase_id: view.codebase_id,
    worker_id: view.worker_id ?? workerId,
    title: view.title ?? '',
    prompt: view.prompt ?? '',
    agent_type: view.agent_type,
    tool: view.tool ?? null,
    model: view.model ?? metaString(meta, 'model'),
    resume_session_id: metaString(meta, 'resume_session_id'),
    timeout_s: typeof timeout === 'number' && Number.isInteger(timeout) && timeout > 0 ? timeout : null,
    idle_timeout_s: typeof meta.idle_timeout_s === 'number' && Number.isInteger(meta.idle_timeout_s) && meta.idle_timeout_s >= 0 ? meta.idle_timeout_s : null,
    correlation_id: metaString(meta, 'correlation_id'),
  };
}
