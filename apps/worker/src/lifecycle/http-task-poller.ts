import { Inject, Injectable } from '@nestjs/common';
import { REGISTER_CODEBASE_AGENT_TYPE, type TaskJob, type TaskView } from '#contracts';
import type { Logger } from 'pino';
import type { WorkerConfig } from '../config/worker-config';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import type { Clock } from '../system/clock';
import { CodebaseDirectory } from '../tasks/codebase-directory';
import { ExecuteTaskUseCase } from '../tasks/execute-task.usecase';
import { SlotSemaphore } from '../tasks/slot-semaphore';
import { CLOCK, LOGGER, WORKER_CONFIG } from '../tokens';
import { TaskStreamClient } from './task-stream-client';

/**
 * The HTTP fallback when Redis cannot be reached (seed 000 "Task Polling"): list this worker's
 * pending tasks and claim them with the same claim protocol as the queues (409 = another
 * delivery got it). One task per codebase at a time. A poll runs at once when the task stream
 * announces a task (seed 001 "Reactive Execution") and when a task ran (a slot and its codebase
 * are free); every poll_interval as the safety net. A task whose claim was refused or failed is
 * not tried again before the next interval, so a pending task the API keeps refusing (e.g. it
 * forgot this worker) costs one claim per interval, not a tight list-and-claim loop.
 */
@Injectable()
export class HttpTaskPoller {
  private loop: Promise<void> | null = null;
  private stopped = new AbortController();
  private readonly busyCodebases = new Set<string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** The poll now running, and whether another was asked for meanwhile (polls never overlap). */
  private polling: Promise<void> | null = null;
  private pollAgain = false;
  /** Task ids whose claim was refused or failed since the last interval tick: skipped until then. */
  private readonly refusedThisInterval = new Set<string>();

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly client: ControlPlaneClient,
    private readonly executeTask: ExecuteTaskUseCase,
    private readonly slots: SlotSemaphore,
    private readonly stream: TaskStreamClient,
    codebases: CodebaseDirectory,
  ) {
    codebases.on('changed', () => this.stream.restart());
  }

  get running(): boolean {
    return this.loop !== null;
  }

  /** A poll is under way (or asked for): tests wait for quiet before proving the stream path. */
  get pollInFlight(): boolean {
    return this.polling !== null;
  }

  start(): void {
    if (this.loop) return;
    this.stopped = new AbortController();
    this.logger.warn({ poll_interval_s: this.config.pollIntervalS }, 'HTTP fallback: polling the control plane for pending tasks');
    this.stream.start(() => void this.pollSoon());
    this.loop = (async () => {
      while (!this.stopped.signal.aborted) {
        this.refusedThisInterval.clear();
        await this.pollSoon();
        await this.clock.sleep(this.config.pollIntervalS * 1000, this.stopped.signal);
      }
    })();
  }

  /** Stops polling and the stream; tasks already started go on (they are tracked as running tasks). */
  async stop(): Promise<void> {
    this.stopped.abort();
    await Promise.all([this.loop, this.stream.stop(), this.polling]);
    this.loop = null;
  }

  /** A poll now, or right after the one running (a burst of announcements costs one or two lists). */
  pollSoon(): Promise<void> {
    if (this.stopped.signal.aborted) return Promise.resolve();
    if (this.polling) {
      this.pollAgain = true;
      return this.polling;
    }
    const run = async (): Promise<void> => {
      try {
        do {
          this.pollAgain = false;
          await this.pollOnce().catch((err: Error) => this.logger.debug({ err: err.message }, 'poll failed'));
        } while (this.pollAgain && !this.stopped.signal.aborted);
      } finally {
        // Cleared in the same turn as the last check, so no request falls between them.
        this.polling = null;
      }
    };
    this.polling = run();
    return this.polling;
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
      if (this.busyCodebases.has(key) || this.refusedThisInterval.has(view.id)) continue;
      this.busyCodebases.add(key);
      const p = this.executeTask
        .execute(taskJobFromView(view, this.config.workerId), { signal: this.stopped.signal })
        .then((result) => result.kind === 'done')
        .catch((err: Error) => {
          this.logger.error({ task_id: view.id, err: err.message }, 'task failed in the worker');
          return false;
        })
        .then((ran) => {
          this.busyCodebases.delete(key);
          this.inFlight.delete(p);
          // A run freed a slot and its codebase: the next waiting task need not wait for poll_interval.
          // Anything else (refused, claim failed) waits for the interval or the next stream event.
          if (ran) void this.pollSoon();
          else this.refusedThisInterval.add(view.id);
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
