import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';

/** Redis clients: a probe at start (to choose queues or the HTTP fallback) and long-lived connections. */
@Injectable()
export class RedisConnections {
  /** True if Redis answers PING within `timeoutMs`; never throws. */
  async probe(url: string, timeoutMs = 3000): Promise<boolean> {
    const client = new Redis(url, {
      lazyConnect: true,
      connectTimeout: timeoutMs,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  }

  /** A connection that retries forever (BullMQ requires maxRetriesPerRequest: null). */
  create(url: string, name: string, onError: (err: Error) => void): Redis {
    const client = new Redis(url, { maxRetriesPerRequest: null, connectionName: name });
    client.on('error', onError);
    return client;
  }
}
