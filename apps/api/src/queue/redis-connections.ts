import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';

/**
 * Two shared connections per process: one for BullMQ producers and PUBLISH (maxRetriesPerRequest
 * null, as BullMQ requires), one in subscriber mode for every SSE follower.
 */
@Injectable()
export class RedisConnections implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisConnections.name);
  readonly producer: Redis;
  readonly subscriber: Redis;

  constructor(@Inject(API_CONFIG) config: ApiConfig) {
    this.producer = this.connect(config.redisUrl, 'codefleet-api');
    this.subscriber = this.connect(config.redisUrl, 'codefleet-api-sub');
  }

  private connect(url: string, name: string): Redis {
    const redis = new Redis(url, { maxRetriesPerRequest: null, connectionName: name, lazyConnect: false });
    let lastError = '';
    redis.on('error', (err: Error) => {
      // ioredis retries by itself; log each distinct failure once, not every retry.
      if (err.message !== lastError) this.logger.warn({ msg: 'redis connection error', connection: name, error: err.message });
      lastError = err.message;
    });
    redis.on('ready', () => {
      if (lastError) this.logger.log({ msg: 'redis connection restored', connection: name });
      lastError = '';
    });
    return redis;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.producer, this.subscriber].map((r) => r.quit().catch(() => r.disconnect())));
  }
}

/** Redis calls must not hang a request when Redis is down: PostgreSQL stays the source of truth. */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
