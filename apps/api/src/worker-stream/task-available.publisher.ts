import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { REGISTER_CODEBASE_AGENT_TYPE } from '#contracts';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import { RedisConnections, withTimeout } from '../queue/redis-connections';
import { TaskEvents } from '../tasks/task-events';
import type { TaskRow } from '../tasks/task.entity';
import { taskAvailableMessage, workerTasksChannel } from './task-available';

/**
 * Announces every task that enters `pending` (created or requeued) on its worker's channel, so
 * the worker's task stream on any API replica pushes `task_available` at once. Best effort: a
 * stream that misses one catches it on reconnect (replay) or by the worker's slow poll.
 */
@Injectable()
export class TaskAvailablePublisher implements OnModuleInit {
  private readonly logger = new Logger(TaskAvailablePublisher.name);

  constructor(
    private readonly events: TaskEvents,
    private readonly redis: RedisConnections,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  onModuleInit(): void {
    this.events.onQueued((task) => void this.publish(task));
  }

  private async publish(task: TaskRow): Promise<void> {
    // Registration-by-path tasks have no worker yet; any worker with the path may take them.
    if (!task.worker_id || task.agent_type === REGISTER_CODEBASE_AGENT_TYPE) return;
    const channel = workerTasksChannel(this.config.queuePrefix, task.worker_id);
    try {
      await withTimeout(this.redis.producer.publish(channel, JSON.stringify(taskAvailableMessage(task))), 2000, 'publish');
    } catch (err) {
      this.logger.warn({ msg: 'task_available publish failed', task_id: task.id, channel, error: (err as Error).message });
    }
  }
}
