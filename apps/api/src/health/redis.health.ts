import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { RedisConnections } from '../queue/redis-connections';

/** Redis carries the queues and the live fan-out: a ping of the producer connection covers both. */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly redis: RedisConnections,
  ) {}

  ping(key = 'redis') {
    return this.health
      .check(key)
      .attempt(async () => {
        const answer = await this.redis.producer.ping();
        if (answer !== 'PONG') throw new Error(`unexpected PING answer ${answer}`);
      })
      .withTimeout(3000);
  }
}
