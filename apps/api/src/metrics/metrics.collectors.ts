import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { WORKER_STATUSES } from '#contracts';
import { CODEBASE_REGISTRATION_QUEUE, codebaseQueueName, workerQueueName } from '#domain';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import { CodebaseRepository } from '../codebases/codebase.repository';
import { TaskQueue } from '../queue/task-queue';
import { livenessPolicy } from '../workers/liveness-policy';
import { WorkerRepository } from '../workers/worker.repository';
import { workerStatusOf } from '../workers/worker-view';
import { MetricsService } from './metrics.service';

/** The queue list changes slowly; reading it from PostgreSQL on every scrape is not needed. */
const KNOWN_QUEUES_TTL_MS = 30_000;

/** Feeds the scrape-time gauges from PostgreSQL and BullMQ. */
@Injectable()
export class MetricsCollectors implements OnModuleInit {
  private knownQueues: { names: string[]; at: number } | null = null;

  constructor(
    private readonly metrics: MetricsService,
    private readonly queue: TaskQueue,
    private readonly workers: WorkerRepository,
    private readonly codebases: CodebaseRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  onModuleInit(): void {
    this.metrics.setQueueDepthSource(async () => this.queue.depth(await this.queueNames()));
    this.metrics.setWorkersSource(async () => {
      const now = new Date();
      const counts: Record<string, number> = Object.fromEntries(WORKER_STATUSES.map((s) => [s, 0]));
      for (const w of await this.workers.list()) counts[workerStatusOf(w, now, livenessPolicy(this.config))]++;
      return counts;
    });
  }

  /** Registration, every active codebase's queue and every non-offline worker's queue. */
  private async queueNames(): Promise<string[]> {
    if (this.knownQueues && Date.now() - this.knownQueues.at < KNOWN_QUEUES_TTL_MS) return this.knownQueues.names;
    const [codebases, workers] = await Promise.all([this.codebases.listActive(), this.workers.list()]);
    const names = [
      CODEBASE_REGISTRATION_QUEUE,
      ...codebases.map((c) => codebaseQueueName(c.id)),
      ...workers.filter((w) => w.status !== 'offline').map((w) => workerQueueName(w.id)),
    ];
    this.knownQueues = { names, at: Date.now() };
    return names;
  }
}
