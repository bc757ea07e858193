import { Module } from '@nestjs/common';
import { CreateTaskUseCase } from '../tasks/usecases/create-task.usecase';
import { SessionFromTaskListener } from './session-from-task.listener';
import { SessionRepository } from './session.repository';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';
import { ResumeSessionUseCase } from './usecases/resume-session.usecase';
import { SyncSessionsUseCase } from './usecases/sync-sessions.usecase';

/** Agent sessions: worker sync, browsing and search, and resuming one as a new task. */
@Module({
  controllers: [SessionsController],
  providers: [SessionRepository, SessionsService, SyncSessionsUseCase, ResumeSessionUseCase, SessionFromTaskListener, CreateTaskUseCase],
})
export class SessionsModule {}
