import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { offlineCutoff } from '#domain';
import type { ApiConfig } from '../config/api-config';
import { PeriodicRun } from '../common/periodic-run';
import { API_CONFIG } from '../config/config.module';
import { TaskEvents } from '../tasks/task-events';
import { TaskRepository } from '../tasks/task.repository';
import { livenessPolicy } from './liveness-policy';
import { WorkerRepository } from './worker.repository';

/**
 * Every heartbeat interval: workers past the offline cutoff go offline and their running tasks
 * fail with worker_lost. Both steps are guarded UPDATEs, so several replicas can sweep at once.
 */
@Injectable()
export class WorkerLivenessService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerLivenessService.name);
  private readonly rounds = new PeriodicRun(
    () => this.sweep(),
    (err) => this.logger.error(`liveness sweep failed: ${err.message}`, err.stack, WorkerLivenessService.name),
  );

  constructor(
    private readonly workers: WorkerRepository,
    private readonly tasks: TaskRepository,
    private readonly events: TaskEvents,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.rounds.start(this.config.heartbeatIntervalS * 1000);
  }

  onApplicationShutdown(): Promise<void> {
    return this.rounds.stop();
  }

  async sweep(now = new Date()): Promise<{ offline: string[]; lostTasks: string[] }> {
    const cutoff = offlineCutoff(now, livenessPolicy(this.config));
    const offline = await this.workers.sweepOffline(cutoff);
    const lost = await this.tasks.failRunningOfLostWorkers(cutoff, 'worker stopped sending heartbeats while the task was running', now);
    if (offline.length) this.logger.warn({ msg: 'workers went offline', worker_ids: offline });
    if (lost.length) this.logger.warn({ msg: 'tasks of offline workers are lost', task_ids: lost.map((t) => t.id) });
    await this.events.changed(lost);
    return { offline, lostTasks: lost.map((t) => t.id) };
  }
}
