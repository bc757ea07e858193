import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ApiConfig } from '../config/api-config';
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
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly tasks: TaskRepository,
    private readonly workers: WorkerRepository,
    private readonly queue: TaskQueue,
    private readonly events: TaskEvents,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.config.reconcileIntervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private tick(): Promise<unknown> {
    if (!this.running) {
      this.running = this.reconcile()
        .catch((err: Error) => this.logger.warn({ msg: 'reconcile failed; will retry', error: err.message }))
        .finally(() => (this.running = null));
    }
    return this.running;
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
