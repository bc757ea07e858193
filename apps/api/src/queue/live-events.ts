import { Inject, Injectable, Logger } from '@nestjs/common';
import { scopedChannel, type TaskStreamMessage, taskOutputChannel, type WorkerControlMessage, workerControlChannel } from '#contracts';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import { RedisConnections, withTimeout } from './redis-connections';

/**
 * Publishes live fan-out messages. Best effort by design: a missed cancel is caught by the next
 * heartbeat response, a missed output message by the SSE gap check.
 */
@Injectable()
export class LiveEvents {
  private readonly logger = new Logger(LiveEvents.name);

  constructor(
    private readonly redis: RedisConnections,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  taskChannel(taskId: string): string {
    return scopedChannel(this.config.queuePrefix, taskOutputChannel(taskId));
  }

  workerChannel(workerId: string): string {
    return scopedChannel(this.config.queuePrefix, workerControlChannel(workerId));
  }

  publishTask(taskId: string, message: TaskStreamMessage): Promise<void> {
    return this.publish(this.taskChannel(taskId), message);
  }

  publishWorker(workerId: string, message: WorkerControlMessage): Promise<void> {
    return this.publish(this.workerChannel(workerId), message);
  }

  private async publish(channel: string, message: unknown): Promise<void> {
    try {
      await withTimeout(this.redis.producer.publish(channel, JSON.stringify(message)), 2000, 'publish');
    } catch (err) {
      this.logger.warn({ msg: 'publish failed', channel, error: (err as Error).message });
    }
  }
}
