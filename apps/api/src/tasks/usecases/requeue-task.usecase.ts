import { Inject, Injectable, Logger } from '@nestjs/common';
import type { TaskView } from '#contracts';
import { canRequeue } from '#domain';
import type { ApiConfig } from '../../config/api-config';
import { API_CONFIG } from '../../config/config.module';
import { conflict, notFound } from '../../common/api-error';
import { CodebaseRepository } from '../../codebases/codebase.repository';
import { TaskQueue } from '../../queue/task-queue';
import { livenessPolicy } from '../../workers/liveness-policy';
import { workerStatusOf } from '../../workers/worker-view';
import { WorkerRepository } from '../../workers/worker.repository';
import { TaskEvents } from '../task-events';
import { toTaskView } from '../task-view';
import { TaskRepository } from '../task.repository';

/** failed|cancelled -> pending as a new generation (new job id, output continues after the old). */
@Injectable()
export class RequeueTaskUseCase {
  private readonly logger = new Logger(RequeueTaskUseCase.name);

  constructor(
    private readonly tasks: TaskRepository,
    private readonly codebases: CodebaseRepository,
    private readonly workers: WorkerRepository,
    private readonly queue: TaskQueue,
    private readonly events: TaskEvents,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async execute(id: string): Promise<TaskView> {
    const task = await this.tasks.findById(id);
    if (!task) throw notFound('task', id);
    if (!canRequeue(task.status)) throw conflict(`only failed or cancelled tasks can be requeued; task ${id} is ${task.status}`);
    if (task.codebase_id) {
      const codebase = await this.codebases.findById(task.codebase_id);
      if (!codebase || codebase.status === 'deleted') throw conflict(`codebase ${task.codebase_id} was deleted; the task cannot run again`);
    }
    const requeued = await this.tasks.requeue(id, new Date());
    if (!requeued) throw conflict(`task ${id} changed meanwhile; it is no longer failed or cancelled`);
    this.events.queued(requeued);
    await this.queue.enqueue(requeued, { registrationAttempts: TaskQueue.isRegistration(requeued) ? 3 * (await this.onlineWorkers()) : 1 });
    this.logger.log({ msg: 'task requeued', task_id: id, attempt: requeued.attempt });
    return toTaskView(requeued);
  }

  private async onlineWorkers(): Promise<number> {
    const now = new Date();
    return (await this.workers.list()).filter((w) => workerStatusOf(w, now, livenessPolicy(this.config)) === 'active').length;
  }
}
