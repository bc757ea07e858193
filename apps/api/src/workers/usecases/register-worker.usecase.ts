import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RegisterWorkerResponse } from '#contracts';
import type { ApiConfig } from '../../config/api-config';
import { API_CONFIG } from '../../config/config.module';
import { TaskEvents } from '../../tasks/task-events';
import { TaskRepository } from '../../tasks/task.repository';
import type { RegisterWorkerDto } from '../dto/register-worker.dto';
import { livenessPolicy } from '../liveness-policy';
import { toWorkerView } from '../worker-view';
import { WorkerRepository } from '../worker.repository';

/**
 * Idempotent upsert by worker_id. Registering again means the worker restarted, so whatever it
 * was running is gone: those tasks fail with worker_lost (they can be requeued).
 */
@Injectable()
export class RegisterWorkerUseCase {
  private readonly logger = new Logger(RegisterWorkerUseCase.name);

  constructor(
    private readonly workers: WorkerRepository,
    private readonly tasks: TaskRepository,
    private readonly events: TaskEvents,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async execute(dto: RegisterWorkerDto): Promise<RegisterWorkerResponse> {
    const now = new Date();
    const agents = (dto.agents ?? []).map((a) => ({ name: a.name, version: a.version ?? null, bin: a.bin ?? null }));
    const { worker, inserted } = await this.workers.upsert(
      {
        id: dto.worker_id,
        name: dto.name,
        hostname: dto.hostname ?? null,
        role: dto.role ?? null,
        capabilities: dto.capabilities ?? [],
        models: dto.models ?? [],
        agents,
        tools: [...new Set(agents.map((a) => a.name))],
        max_concurrent: dto.max_concurrent ?? 1,
        version: dto.version ?? null,
        resources: dto.resources ? { ...dto.resources } : null,
      },
      now,
    );
    if (!inserted) {
      const lost = await this.tasks.failRunningOfWorkers([worker.id], `worker ${worker.id} restarted (registered again) while the task was running`, now);
      if (lost.length) this.logger.warn({ msg: 'worker re-registered; its running tasks are lost', worker_id: worker.id, task_ids: lost.map((t) => t.id) });
      await this.events.changed(lost);
    }
    this.logger.log({ msg: inserted ? 'worker registered' : 'worker registered again', worker_id: worker.id, name: worker.name });
    const codebases = (await this.workers.codebaseCounts()).get(worker.id) ?? 0;
    return {
      worker: toWorkerView(worker, codebases, now, livenessPolicy(this.config)),
      heartbeat_interval_s: this.config.heartbeatIntervalS,
      session_sync_interval_s: this.config.sessionSyncIntervalS,
      redis_url: this.config.shareRedisUrl ? this.config.redisUrl : null,
      queue_prefix: this.config.queuePrefix,
    };
  }
}
