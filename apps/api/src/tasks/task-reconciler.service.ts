import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ApiConfig } from '../config/api-config';
import { PeriodicRun } from '../common/periodic-run';
import { API_CONFIG } from '../config/config.module';
import { TaskQueue } from '../queue/task-queue';
import { livenessPolicy } from '../workers/liveness-policy';
import { workerStatusOf } from '../workers/worker-view';
import { WorkerRepository } from '../workers/worker.repository';
import type { TaskRow } from './task.entity';
import { TaskEvents } from './task-events';
import { TaskRepository } from './task.repository';

/** A task younger than this may be between its commit and its enqueue: leave it alone. */
const ENQUEUE_GRACE_MS = 2000;
const PAGE_SIZE = 500;
const PARALLEL_CHECKS = 50;

/**
 * DESIGN 4.3: at start and every RECONCILE_INTERVAL_MS, every pending task whose job is missing
 * is enqueued again. Adding an existing job id is a no-op, so replicas can run this together,
 * and a Redis flush loses no task.
 */
@Injectable()
export class TaskReconcilerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TaskReconcilerService.name);
  private readonly rounds = new PeriodicRun(
    () => this.reconcile(),
    (err) => this.logger.warn({ msg: 'reconcile failed; will retry', error: err.message }),
  );

  constructor(
    private readonly tasks: TaskRepository,
    private readonly workers: WorkerRepository,
    private readonly queue: TaskQueue,
    private readonly events: TaskEvents,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.rounds.start(this.config.reconcileIntervalMs, true);
  }

  onApplicationShutdown(): Promise<void> {
    return this.rounds.stop();
  }

  async reconcile(now = new Date()): Promise<{ readded: string[]; unregistrable: string[] }> {
    const readded: string[] = [];
    const unregistrable: string[] = [];
    let registrationAttempts: number | null = null;
    let afterId: string | null = null;
    for (;;) {
      const page: TaskRow[] = await this.tasks.pendingForReconcile(new Date(now.getTime() - ENQUEUE_GRACE_MS), afterId, PAGE_SIZE);
      if (page.length === 0) break;
      afterId = page[page.length - 1].id;
      for (let i = 0; i < page.length; i += PARALLEL_CHECKS) {
        await Promise.all(
          page.slice(i, i + PARALLEL_CHECKS).map(async (task) => {
            const presence = await this.queue.presence(task);
            if (presence === 'present') return;
            if (presence === 'exhausted') {
              if (await this.giveUpRegistration(task)) unregistrable.push(task.id);
              return;
            }
            await this.queue.restoreQueueSettings(task);
            if (TaskQueue.isRegistration(task)) registrationAttempts ??= 3 * (await this.onlineWorkers());
            if (await this.queue.enqueue(task, { registrationAttempts: registrationAttempts ?? 1 })) readded.push(task.id);
          }),
        );
      }
      if (page.length < PAGE_SIZE) break;
    }
    if (readded.length) this.logger.warn({ msg: 'pending tasks had no job; enqueued again', task_ids: readded });
    return { readded, unregistrable };
  }

  /** Every online worker looked and none has the path: the registration fails. */
  private async giveUpRegistration(task: TaskRow): Promise<boolean> {
    const path = typeof task.metadata?.path === 'string' ? task.metadata.path : task.prompt;
    const failed = await this.tasks.failPending(task.id, task.attempt, 'invalid_codebase', `no online worker has the path ${path}`, new Date());
    await this.queue.removeRegistrationJob(task);
    if (!failed) return false;
    await this.events.changed([failed]);
    this.logger.warn({ msg: 'codebase registration failed: no worker has the path', task_id: task.id, path });
    return true;
  }

  private async onlineWorkers(): Promise<number> {
    const now = new Date();
    return (await this.workers.list()).filter((w) => workerStatusOf(w, now, livenessPolicy(this.config)) === 'active').length;
  }
}
