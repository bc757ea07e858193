import { Module } from '@nestjs/common';
import { QueueBoard } from './queue-board.service';

/** Bull Board at /admin/queues; its HTTP side is mounted by mountQueueBoard (bootstrap). */
@Module({ providers: [QueueBoard], exports: [QueueBoard] })
export class QueueBoardModule {}
