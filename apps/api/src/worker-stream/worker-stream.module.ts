import { Module } from '@nestjs/common';
import { TaskAvailablePublisher } from './task-available.publisher';
import { WorkerStreamController } from './worker-stream.controller';
import { WorkerTaskStreamService } from './worker-task-stream.service';

/** `GET /v1/worker/tasks/stream`: pushes `task_available` to workers on the HTTP fallback. */
@Module({
  controllers: [WorkerStreamController],
  providers: [WorkerTaskStreamService, TaskAvailablePublisher],
  exports: [WorkerTaskStreamService],
})
export class WorkerStreamModule {}
