import { Inject, Injectable, Logger } from '@nestjs/common';
import type { HeartbeatResponse, RunningTaskRef } from '#contracts';
import type { ApiConfig } from '../../config/api-config';
import { API_CONFIG } from '../../config/config.module';
import { apiError } from '../../common/api-error';
import { CodebaseRepository } from '../../codebases/codebase.repository';
import { toCodebaseRef } from '../../codebases/codebase-view';
import { TaskEvents } from '../../tasks/task-events';
import { TaskRepository } from '../../tasks/task.repository';
import type { HeartbeatDto } from '../dto/heartbeat.dto';
import { livenessPolicy } from '../liveness-policy';
import { workerStatusOf } from '../worker-view';
import { WorkerRepository } from '../worker.repository';

@Injectable()
export class RecordHeartbeatUseCase {
  private readonly logger = new Logger(RecordHeartbeatUseCase.name);

  constructor(
    private readonly workers: WorkerRepository,
    private readonly codebases: CodebaseRepository,
    private readonly tasks: TaskRepository,
    private readonly events: TaskEvents,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async execute(workerId: string, dto: HeartbeatDto): Promise<HeartbeatResponse> {
    const now = new Date();
    const worker = await this.workers.heartbeat(workerId, dto.resources ? { ...dto.resources } : null, now);
    // 404 tells the worker to register again (e.g. after the database was reset).
    if (!worker) throw apiError(404, `worker ${workerId} is not registered; register it again`);

    const listed = dto.running_tasks;
    if (listed) {
      // Grace of one interval: a task claimed just before this heartbeat was assembled is fine.
      const claimedBefore = new Date(now.getTime() - this.config.heartbeatIntervalS * 1000);
      const lost = await this.tasks.failUnlisted(workerId, listed.map((r) => r.task_id), claimedBefore, `worker ${workerId} no longer reports the task as running`, now);
      if (lost.length) this.logger.warn({ msg: 'tasks missing from heartbeat are lost', worker_id: workerId, task_ids: lost.map((t) => t.id) });
      await this.events.changed(lost);
    }

    const [requested, stale, codebases] = await Promise.all([
      this.tasks.cancelsForWorker(workerId),
      this.staleRuns(workerId, listed ?? []),
      this.codebases.listActive(workerId),
    ]);
    const cancels = new Map<string, RunningTaskRef>();
    for (const ref of [...requested, ...stale]) cancels.set(`${ref.task_id}.${ref.attempt}`, ref);

    return {
      status: workerStatusOf(worker, now, livenessPolicy(this.config)),
      cancels: [...cancels.values()],
      codebases: codebases.map(toCodebaseRef),
      heartbeat_interval_s: this.config.heartbeatIntervalS,
    };
  }

  /**
   * Runs the worker reports that are no longer its current run (the task finished, was failed
   * as lost, or moved to another attempt): it must stop them too.
   */
  private async staleRuns(workerId: string, listed: RunningTaskRef[]): Promise<RunningTaskRef[]> {
    if (listed.length === 0) return [];
    const current = new Map((await this.tasks.findManyByIds(listed.map((r) => r.task_id))).map((t) => [t.id, t]));
    return listed.filter((r) => {
      const t = current.get(r.task_id);
      return !t || t.status !== 'running' || t.attempt !== r.attempt || t.worker_id !== workerId;
    });
  }
}
