import { Injectable, Logger } from '@nestjs/common';
import type { CodebaseView } from '#contracts';
import { conflict, notFound } from '../../common/api-error';
import { Sql } from '../../database/sql';
import { LiveEvents } from '../../queue/live-events';
import { TaskQueue } from '../../queue/task-queue';
import { TaskEvents } from '../../tasks/task-events';
import { TaskRepository } from '../../tasks/task.repository';
import { CodebaseRepository } from '../codebase.repository';
import { toCodebaseView } from '../codebase-view';

/** Soft delete. Refused while an agent runs in it; its pending tasks are cancelled. */
@Injectable()
export class DeleteCodebaseUseCase {
  private readonly logger = new Logger(DeleteCodebaseUseCase.name);

  constructor(
    private readonly sql: Sql,
    private readonly codebases: CodebaseRepository,
    private readonly tasks: TaskRepository,
    private readonly queue: TaskQueue,
    private readonly live: LiveEvents,
    private readonly events: TaskEvents,
  ) {}

  async execute(id: string): Promise<CodebaseView> {
    const now = new Date();
    const { codebase, cancelled } = await this.sql.transaction(async () => {
      const current = await this.codebases.lockById(id);
      if (!current || current.status === 'deleted') throw notFound('codebase', id);
      if (await this.tasks.hasRunningForCodebase(id)) {
        throw conflict(`codebase ${id} has a running task; cancel it before deleting the codebase`);
      }
      const cancelled = await this.tasks.cancelPendingForCodebase(id, now);
      const codebase = (await this.codebases.markDeleted(id))!;
      return { codebase, cancelled };
    });
    // After commit: drop the jobs, tell followers and the owning worker.
    await Promise.all(cancelled.map((t) => this.queue.remove(t)));
    await this.events.changed(cancelled);
    if (codebase.worker_id) await this.live.publishWorker(codebase.worker_id, { type: 'codebases_changed' });
    this.logger.log({ msg: 'codebase deleted', codebase_id: id, cancelled_tasks: cancelled.length });
    return toCodebaseView(codebase);
  }
}
