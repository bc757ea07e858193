import { Module } from '@nestjs/common';
import { RecordHeartbeatUseCase } from './usecases/record-heartbeat.usecase';
import { RegisterWorkerUseCase } from './usecases/register-worker.usecase';
import { UnregisterWorkerUseCase } from './usecases/unregister-worker.usecase';
import { WorkerLivenessService } from './worker-liveness.service';
import { WorkersController } from './workers.controller';
import { WorkersService } from './workers.service';

@Module({
  controllers: [WorkersController],
  providers: [RegisterWorkerUseCase, RecordHeartbeatUseCase, UnregisterWorkerUseCase, WorkersService, WorkerLivenessService],
  exports: [WorkersService],
})
export class WorkersModule {}
