import { Injectable } from '@nestjs/common';
import type { RunningTaskRef } from '#contracts';

export type CancelReason = 'cancelled' | 'worker_shutdown';

/** A claimed task being run here; `attempt` is the claim's (what every callback carries). */
export interface RunningTask {
  taskId: string;
  attempt: number;
  correlationId: string | null;
  /** SIGTERM, grace period, SIGKILL; the run then reports `cancelled`. Idempotent. */
  cancel(reason: CancelReason): void;
  /** SIGKILL now (second shutdown signal). */
  kill(): void;
}

/** The tasks this worker runs right now: heartbeats list them, cancels find them here. */
@Injectable()
export class RunningTasks {
  private readonly tasks = new Map<string, RunningTask>();
  private readonly emptyWaiters = new Set<() => void>();

  get size(): number {
    return this.tasks.size;
  }

  add(task: RunningTask): void {
    this.tasks.set(task.taskId, task);
  }

  remove(taskId: string): void {
    this.tasks.delete(taskId);
    if (this.tasks.size === 0) for (const w of [...this.emptyWaiters]) w();
  }

  refs(): RunningTaskRef[] {
    return [...this.tasks.values()].map((t) => ({ task_id: t.taskId, attempt: t.attempt }));
  }

  /** Cancels the task if this attempt of it runs here; false otherwise. */
  cancel(taskId: string, attempt: number, reason: CancelReason): boolean {
    const task = this.tasks.get(taskId);
    if (!task || task.attempt !== attempt) return false;
    task.cancel(reason);
    return true;
  }

  cancelAll(reason: CancelReason): void {
    for (const t of this.tasks.values()) t.cancel(reason);
  }

  killAll(): void {
    for (const t of this.tasks.values()) t.kill();
  }

  /** Resolves true when no task runs any more, false if `timeoutMs` passed first. */
  whenEmpty(timeoutMs: number): Promise<boolean> {
    if (this.tasks.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (empty: boolean) => {
        clearTimeout(timer);
        this.emptyWaiters.delete(onEmpty);
        resolve(empty);
      };
      const onEmpty = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.emptyWaiters.add(onEmpty);
    });
  }
}
