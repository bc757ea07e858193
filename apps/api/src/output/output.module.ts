import { Module } from '@nestjs/common';
import { OutputController } from './output.controller';
import { OutputService } from './output.service';
import { TaskOutputStreamService } from './task-output-stream.service';
import { AppendOutputUseCase } from './usecases/append-output.usecase';

@Module({
  controllers: [OutputController],
  providers: [AppendOutputUseCase, OutputService, TaskOutputStreamService],
})
export class OutputModule {}
