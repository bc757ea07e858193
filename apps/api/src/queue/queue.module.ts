import { Global, Module } from '@nestjs/common';
import { ChannelSubscriber } from './channel-subscriber';
import { LiveEvents } from './live-events';
import { QueueRegistry } from './queue-registry';
import { RedisConnections } from './redis-connections';
import { TaskQueue } from './task-queue';

@Global()
@Module({
  providers: [RedisConnections, QueueRegistry, TaskQueue, LiveEvents, ChannelSubscriber],
  exports: [RedisConnections, QueueRegistry, TaskQueue, LiveEvents, ChannelSubscriber],
})
export class QueueModule {}
