import type { ApiResponse } from '../common/http-types';
import { openEventStream } from '../common/sse';
import { isTaskAvailableMessage, TASK_AVAILABLE_EVENT, type TaskAvailableData, type TaskAvailableMessage } from './task-available';

export interface FollowerHooks {
  /** Subscribes to the worker's channel; resolves once Redis confirmed, with the unsubscribe function. */
  subscribe(listener: (message: unknown) => void): Promise<() => void>;
  /** Pending tasks already waiting, oldest announcement first. */
  loadPending(): Promise<TaskAvailableMessage[]>;
  /** Whether this stream wants a task of that codebase (the X-Codebases filter). */
  wants(task: TaskAvailableData): boolean;
  onError(err: Error): void;
  onStop(): void;
}

/**
 * One worker's open task stream: subscribe first, then announce the tasks already pending
 * (so nothing created while the worker was away is missed), then every new one. Work runs in
 * order on one chain, so a live message never overtakes the replay.
 */
export class TaskAvailableFollower {
  private stopped = false;
  private chain: Promise<void> = Promise.resolve();
  private keepAlive: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  /** Generations announced by the replay: the live message of the same generation is a repeat. */
  private readonly replayed = new Set<string>();

  constructor(
    private readonly res: ApiResponse,
    private readonly keepAliveMs: number,
    private readonly hooks: FollowerHooks,
  ) {}

  async start(): Promise<void> {
    if (this.stopped) return;
    openEventStream(this.res);

    const unsubscribe = await this.hooks.subscribe((m) => this.enqueue(async () => this.onMessage(m)));
    if (this.stopped) {
      unsubscribe();
      return;
    }
    this.unsubscribe = unsubscribe;
    this.keepAlive = setInterval(() => this.write(': keep-alive\n\n'), this.keepAliveMs);
    this.enqueue(() => this.replay());
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.keepAlive);
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (!this.res.writableEnded) this.res.end();
    this.hooks.onStop();
  }

  private enqueue(work: () => Promise<void>): void {
    this.chain = this.chain
      .then(() => (this.stopped ? undefined : work()))
      .catch((err: Error) => {
        this.hooks.onError(err);
        this.stop();
      });
  }

  private async replay(): Promise<void> {
    for (const message of await this.hooks.loadPending()) {
      this.replayed.add(message.generation);
      this.announce(message.task);
    }
  }

  private async onMessage(message: unknown): Promise<void> {
    if (!isTaskAvailableMessage(message) || this.replayed.has(message.generation)) return;
    if (this.hooks.wants(message.task)) this.announce(message.task);
  }

  private announce(task: TaskAvailableData): void {
    this.write(`event: ${TASK_AVAILABLE_EVENT}\ndata: ${JSON.stringify(task)}\n\n`);
  }

  private write(text: string): void {
    if (!this.stopped && !this.res.writableEnded) this.res.write(text);
  }
}
