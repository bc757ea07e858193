import { Injectable, Logger } from '@nestjs/common';
import type { TaskView } from '#contracts';
import { conflict, notFound } from '../../common/api-error';
import { LiveEvents } from '../../queue/live-events';
import { TaskQueue } from '../../queue/task-queue';
import { TaskEvents } from '../task-events';
import { toTaskView } from '../task-view';
import { TaskRepository } from '../task.repository';

export type CancelOutcome = { kind: 'cancelled' | 'cancel_requested'; task: TaskView };

/**
 * Pending: cancelled at once and its job removed. Running: the worker is asked to stop (pub/sub
 * now, heartbeat response as the fallback) and reports `cancelled` itself. Terminal: 409.
 */
@Injectable()
export class CancelTaskUseCase {
  private readonly logger = new Logger(CancelTaskUseCase.name);

  constructor(
    private readonly tasks: TaskRepository,
    private readonly queue: TaskQueue,
    private readonly live: LiveEvents,
    private readonly events: TaskEvents,
  ) {}

  async execute(id: string): Promise<CancelOutcome> {
    // A guarded update can miss because the task moved on meanwhile; look again.
    for (let round = 0; round < 3; round++) {
      const task = await this.tasks.findById(id);
      if (!task) throw notFound('task', id);
      const now = new Date();
      if (task.status === 'pending') {
        const cancelled = await this.tasks.cancelPending(id, now);
        if (!cancelled) continue;
        await this.queue.remove(cancelled);
        await this.events.changed([cancelled]);
        this.logger.log({ msg: 'pending task cancelled', task_id: id });
        return { kind: 'cancelled', task: toTaskView(cancelled) };
      }
      if (task.status === 'running') {
        const requested = await this.tasks.requestCancel(id, now);
        if (!requested) continue;
        await this.live.publishWorker(requested.worker_id!, { type: 'cancel', task_id: id, attempt: requested.attempt });
        this.logger.log({ msg: 'cancel requested', task_id: id, worker_id: requested.worker_id, attempt: requested.attempt });
        return { kind: 'cancel_requested', task: toTaskView(requested) };
      }
      throw conflict(`task ${id} is already ${task.status}`);
    }
    throw conflict(`task ${id} changed while cancelling; try again`);
  }
}
