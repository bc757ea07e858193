import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { SessionDetailView, SessionMessagePage, SessionPage, SessionSyncResponse, TaskView } from '#contracts';
import { agentPaths } from '../common/api-paths';
import { CorrelationId } from '../common/correlation-id';
import { ApiErrors } from '../common/swagger';
import { TaskViewDto } from '../tasks/dto/task-view.dto';
import { ListSessionMessagesQuery, ListSessionsQuery, SessionDetailQuery } from './dto/list-sessions.query';
import { ResumeSessionDto } from './dto/resume-session.dto';
import { SessionSyncRequestDto } from './dto/sync-sessions.dto';
import { SessionDetailViewDto, SessionMessagePageDto, SessionPageDto, SessionSyncResponseDto } from './dto/session-view.dto';
import { SessionsService } from './sessions.service';
import { ResumeSessionUseCase } from './usecases/resume-session.usecase';
import { SyncSessionsUseCase } from './usecases/sync-sessions.usecase';

const CODEBASE_ID = { name: 'id', example: 'cb_k3j5m2n4p6q7r8s9' };
const SESSION_ID = { name: 'sid', example: 'sess_xyz' };

@ApiTags('sessions')
@ApiBearerAuth()
@Controller(agentPaths('codebases'))
export class SessionsController {
  constructor(
    private readonly syncSessions: SyncSessionsUseCase,
    private readonly resumeSession: ResumeSessionUseCase,
    private readonly sessions: SessionsService,
  ) {}

  @Post(':id/sessions/sync')
  @HttpCode(200)
  @SkipThrottle()
  @ApiOperation({
    summary: 'Sync agent sessions (worker)',
    description:
      'The owning worker pushes the sessions its agent CLIs stored for this codebase. Incremental: sessions not listed are kept, ' +
      'omitted fields keep their stored value, `messages` replace the stored ones. All or nothing. A session id that belongs to ' +
      'another codebase is not overwritten: it is listed in `rejected`. Another worker: 409. Too many sessions or messages: 400; ' +
      'longer titles and texts are shortened.',
  })
  @ApiParam(CODEBASE_ID)
  @ApiOkResponse({ type: SessionSyncResponseDto })
  @ApiErrors(400, 404, 409, 413)
  sync(@Param('id') codebaseId: string, @Body() dto: SessionSyncRequestDto): Promise<SessionSyncResponse> {
    return this.syncSessions.execute(codebaseId, dto);
  }

  @Get(':id/sessions')
  @ApiOperation({ summary: 'List agent sessions', description: 'Most recently updated first; search with q (title, summary, message text), filter by agent_type.' })
  @ApiParam(CODEBASE_ID)
  @ApiOkResponse({ type: SessionPageDto })
  @ApiErrors(400, 404)
  list(@Param('id') codebaseId: string, @Query() query: ListSessionsQuery): Promise<SessionPage> {
    return this.sessions.list(codebaseId, query);
  }

  @Get(':id/sessions/:sid')
  @ApiOperation({ summary: 'Get one session with its most recent messages' })
  @ApiParam(CODEBASE_ID)
  @ApiParam(SESSION_ID)
  @ApiOkResponse({ type: SessionDetailViewDto })
  @ApiErrors(400, 404)
  get(@Param('id') codebaseId: string, @Param('sid') sessionId: string, @Query() query: SessionDetailQuery): Promise<SessionDetailView> {
    return this.sessions.get(codebaseId, sessionId, query.messages_limit);
  }

  @Get(':id/sessions/:sid/messages')
  @ApiOperation({ summary: "Page through a session's messages", description: 'Conversation order; page with limit and cursor.' })
  @ApiParam(CODEBASE_ID)
  @ApiParam(SESSION_ID)
  @ApiOkResponse({ type: SessionMessagePageDto })
  @ApiErrors(400, 404)
  messages(@Param('id') codebaseId: string, @Param('sid') sessionId: string, @Query() query: ListSessionMessagesQuery): Promise<SessionMessagePage> {
    return this.sessions.messages(codebaseId, sessionId, query);
  }

  @Post(':id/sessions/:sid/resume')
  @ApiOperation({
    summary: 'Continue a session in a new task',
    description:
      "Creates a pending task on the codebase that runs the session's tool with metadata.resume_session_id. 409 when the codebase's " +
      'worker is offline or is not the worker that recorded the session; 422 when that worker lacks the tool.',
  })
  @ApiParam(CODEBASE_ID)
  @ApiParam(SESSION_ID)
  @ApiCreatedResponse({ type: TaskViewDto })
  @ApiErrors(400, 404, 409, 422)
  resume(
    @Param('id') codebaseId: string,
    @Param('sid') sessionId: string,
    @Body() dto: ResumeSessionDto,
    @CorrelationId() correlationId: string | null,
  ): Promise<TaskView> {
    return this.resumeSession.execute(codebaseId, sessionId, dto, correlationId);
  }
}
