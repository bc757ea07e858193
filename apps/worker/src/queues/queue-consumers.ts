import { Inject, Injectable } from '@nestjs/common';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { WorkerConfig } from '../config/worker-config';
import { LOGGER, WORKER_CONFIG } from '../tokens';
import { JobProcessor } from './job-processor';

/** BullMQ renews the lock every lockDuration/2 while a job runs, however long the agent takes. */
const LOCK_DURATION_MS = 30_000;
/**
 * A job whose worker died mid-run is put back once. That is safe: its claim was fenced (the
 * API bumped the attempt), so the redelivery's claim gets 409 and nothing runs twice, while a
 * job that stalled before its claim still gets to run.
 */
const MAX_STALLED_COUNT = 1;

/** One BullMQ Worker (concurrency 1) per queue this worker consumes; reconciled against the server's list. */
@Injectable()
export class QueueConsumers {
  private readonly workers = new Map<string, Worker>();
  private readonly closing = new Map<string, Promise<void>>();
  private connection: Redis | null = null;
  private prefix = 'bull';
  private paused = false;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly processor: JobProcessor,
  ) {}

  configure(connection: Redis, prefix: string): void {
    this.connection = connection;
    this.prefix = prefix;
  }

  names(): string[] {
    return [...this.workers.keys()];
  }

  /** Starts consumers for new queues and stops those no longer wanted. */
  async reconcile(wanted: string[]): Promise<void> {
    if (!this.connection || this.paused) return;
    const want = new Set(wanted);
    for (const [name, worker] of this.workers) {
      if (want.has(name)) continue;
      this.workers.delete(name);
      this.logger.info({ queue: name }, 'no longer consuming queue');
      // An active job finishes first; do not hold up the caller for it.
      const closed = worker.close().catch((err: Error) => this.logger.warn({ queue: name, err: err.message }, 'error closing consumer'));
      this.closing.set(name, closed.finally(() => this.closing.delete(name)));
    }
    for (const name of want) {
      if (this.workers.has(name)) continue;
      await this.closing.get(name);
      if (this.paused || this.workers.has(name)) continue;
      this.workers.set(name, this.start(name));
      this.logger.info({ queue: name, prefix: this.prefix }, 'consuming queue');
    }
  }

  /** Stop taking jobs; jobs already running go on (their locks keep being renewed). */
  async pauseAll(): Promise<void> {
    this.paused = true;
    await Promise.all([...this.workers.values()].map((w) => w.pause(true).catch(() => undefined)));
  }

  async closeAll(): Promise<void> {
    this.paused = true;
    const workers = [...this.workers.values()];
    this.workers.clear();
    await Promise.all([...workers.map((w) => w.close().catch(() => undefined)), ...this.closing.values()]);
  }

  private start(name: string): Worker {
    const worker = new Worker(name, (job, token) => this.processor.process(job, token), {
      connection: this.connection!,
      prefix: this.prefix,
      concurrency: 1,
      lockDuration: LOCK_DURATION_MS,
      maxStalledCount: MAX_STALLED_COUNT,
      name: this.config.workerId,
    });
    worker.on('error', (err) => this.logger.warn({ queue: name, err: err.message }, 'queue consumer error'));
    worker.on('failed', (job, err) => {
      if (job && err.name !== 'PathNotHereError') this.logger.warn({ queue: name, job_id: job.id, err: err.message }, 'job failed');
    });
    return worker;
  }
}
