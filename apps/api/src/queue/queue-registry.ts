import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import { RedisConnections } from './redis-connections';

/** One BullMQ `Queue` per name, created on first use and shared by the whole process. */
@Injectable()
export class QueueRegistry implements OnApplicationShutdown {
  private readonly logger = new Logger(QueueRegistry.name);
  private readonly queues = new Map<string, Queue>();
  private readonly concurrency = new Map<string, Promise<void>>();

  constructor(
    private readonly redis: RedisConnections,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  get(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.redis.producer, prefix: this.config.queuePrefix });
      queue.on('error', (err: Error) => this.logger.warn({ msg: 'queue error', queue: name, error: err.message }));
      this.queues.set(name, queue);
    }
    return queue;
  }

  /**
   * Sets a queue's global concurrency once per process (again after `reset`, e.g. when the
   * reconciler finds Redis was flushed).
   */
  ensureGlobalConcurrency(name: string, concurrency: number): Promise<void> {
    let done = this.concurrency.get(name);
    if (!done) {
      done = this.get(name)
        .setGlobalConcurrency(concurrency)
        .then(() => undefined)
        .catch((err: Error) => {
          this.concurrency.delete(name);
          throw err;
        });
      this.concurrency.set(name, done);
    }
    return done;
  }

  forgetGlobalConcurrency(name: string): void {
    this.concurrency.delete(name);
  }

  names(): string[] {
    return [...this.queues.keys()];
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
    this.queues.clear();
  }
}
