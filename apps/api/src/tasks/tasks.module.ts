import { Module } from '@nestjs/common';
import { TaskCallbacksController } from './task-callbacks.controller';
import { TaskReconcilerService } from './task-reconciler.service';
import { CodebaseTasksController, TasksController } from './tasks.controller';
import { TasksService } from './tasks.service';
import { CancelTaskUseCase } from './usecases/cancel-task.usecase';
import { CreateTaskUseCase } from './usecases/create-task.usecase';
import { ReportTaskStatusUseCase } from './usecases/report-task-status.usecase';
import { RequeueTaskUseCase } from './usecases/requeue-task.usecase';

@Module({
  controllers: [TasksController, CodebaseTasksController, TaskCallbacksController],
  providers: [CreateTaskUseCase, CancelTaskUseCase, RequeueTaskUseCase, ReportTaskStatusUseCase, TasksService, TaskReconcilerService],
  exports: [TasksService],
})
export class TasksModule {}
