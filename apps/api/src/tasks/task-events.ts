import { Global, Injectable, Module } from '@nestjs/common';
import { isTerminal } from '#domain';
import { MetricsService } from '../metrics/metrics.service';
import { LiveEvents } from '../queue/live-events';
import type { TaskRow } from './task.entity';

/**
 * What happens after a task row changed status and the change is committed: metrics, and a
 * `status` message on the task channel so SSE followers on every replica see it.
 */
/** Called after commit with tasks that entered `running` or a terminal status; must not throw. */
export type TaskChangeListener = (task: TaskRow) => void;

@Injectable()
export class TaskEvents {
  private readonly listeners: TaskChangeListener[] = [];
  private readonly queuedListeners: TaskChangeListener[] = [];
  private readonly sessionListeners: TaskChangeListener[] = [];

  constructor(
    private readonly live: LiveEvents,
    private readonly metrics: MetricsService,
  ) {}

  /** Other features (email notifications) follow status changes without the task code knowing them. */
  onChanged(listener: TaskChangeListener): void {
    this.listeners.push(listener);
  }

  /** Other features (the worker task stream) hear about tasks that entered `pending`. */
  onQueued(listener: TaskChangeListener): void {
    this.queuedListeners.push(listener);
  }

  /** Other features (the sessions list) hear about a running task's new agent session id. */
  onSessionReported(listener: TaskChangeListener): void {
    this.sessionListeners.push(listener);
  }

  /** A running task reported its agent's session id. */
  sessionReported(task: TaskRow): void {
    for (const listener of this.sessionListeners) listener(task);
  }

  /** A task entered `pending` (created or requeued). */
  queued(task: TaskRow): void {
    this.metrics.taskEntered(task);
    for (const listener of this.queuedListeners) listener(task);
  }

  /** Tasks that entered `running` or a terminal status. */
  async changed(tasks: TaskRow[]): Promise<void> {
    // Listeners run even when Redis is down: the change is committed either way.
    try {
      await Promise.all(
        tasks.map(async (task) => {
          this.metrics.taskEntered(task);
          if (task.status === 'running' || isTerminal(task.status)) {
            await this.live.publishTask(task.id, { type: 'status', status: task.status });
          }
        }),
      );
    } finally {
      for (const task of tasks) for (const listener of this.listeners) listener(task);
    }
  }
}

@Global()
@Module({ providers: [TaskEvents], exports: [TaskEvents] })
export class TaskEventsModule {}
