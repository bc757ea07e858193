import { type Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { TestApi } from './api-harness';

/** Looks at the API's BullMQ queues from the outside, as a worker would see them. */
export class QueueInspector {
  private readonly redis: Redis;
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly api: TestApi) {
    this.redis = new Redis(api.config.redisUrl, { maxRetriesPerRequest: null });
  }

  queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.redis, prefix: this.api.config.queuePrefix });
      this.queues.set(name, q);
    }
    return q;
  }

  job(queueName: string, jobId: string): Promise<Job | undefined> {
    return this.queue(queueName).getJob(jobId);
  }

  /** A fresh connection in subscriber mode, collecting JSON messages of one channel. */
  async listen(channel: string): Promise<{ messages: unknown[]; close(): void }> {
    const sub = new Redis(this.api.config.redisUrl);
    const messages: unknown[] = [];
    sub.on('message', (_c: string, raw: string) => messages.push(JSON.parse(raw)));
    await sub.subscribe(channel);
    return { messages, close: () => sub.disconnect() };
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.redis.disconnect();
  }
}
