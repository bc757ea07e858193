import { Inject, Injectable, Logger } from '@nestjs/common';
import type { WorkerView } from '#contracts';
import type { ApiConfig } from '../../config/api-config';
import { API_CONFIG } from '../../config/config.module';
import { notFound } from '../../common/api-error';
import { TaskEvents } from '../../tasks/task-events';
import { TaskRepository } from '../../tasks/task.repository';
import { livenessPolicy } from '../liveness-policy';
import { toWorkerView } from '../worker-view';
import { WorkerRepository } from '../worker.repository';

/** Clean exit: the worker goes offline; anything it still had running is lost. */
@Injectable()
export class UnregisterWorkerUseCase {
  private readonly logger = new Logger(UnregisterWorkerUseCase.name);

  constructor(
    private readonly workers: WorkerRepository,
    private readonly tasks: TaskRepository,
    private readonly events: TaskEvents,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async execute(workerId: string): Promise<WorkerView> {
    const now = new Date();
    const offline = await this.workers.markOffline(workerId);
    if (!offline) throw notFound('worker', workerId);
    const lost = await this.tasks.failRunningOfWorkers([workerId], `worker ${workerId} unregistered while the task was running`, now);
    await this.events.changed(lost);
    this.logger.log({ msg: 'worker unregistered', worker_id: workerId, lost_tasks: lost.length });
    const worker = (await this.workers.findById(workerId)) ?? offline; // counters include the lost tasks
    const codebases = (await this.workers.codebaseCounts()).get(workerId) ?? 0;
    return toWorkerView(worker, codebases, now, livenessPolicy(this.config));
  }
}
