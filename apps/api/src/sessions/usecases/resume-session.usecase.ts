import { Inject, Injectable } from '@nestjs/common';
import { isResumableSessionId, RESUMABLE_SESSION_ID_RULE, type TaskView } from '#contracts';
import { apiError, conflict, notFound } from '../../common/api-error';
import { CodebaseRepository } from '../../codebases/codebase.repository';
import type { ApiConfig } from '../../config/api-config';
import { API_CONFIG } from '../../config/config.module';
import { CreateTaskUseCase } from '../../tasks/usecases/create-task.usecase';
import { livenessPolicy } from '../../workers/liveness-policy';
import { workerStatusOf } from '../../workers/worker-view';
import { WorkerRepository } from '../../workers/worker.repository';
import type { ResumeSessionDto } from '../dto/resume-session.dto';
import { SessionsService } from '../sessions.service';
import { toolOfSession } from '../session-tool';

/**
 * A continuation task: same codebase, the tool that owns the session, and
 * `metadata.resume_session_id`. It must run where the session's files are, so the codebase's
 * worker must be the one that recorded the session, and be reachable.
 */
@Injectable()
export class ResumeSessionUseCase {
  constructor(
    private readonly sessions: SessionsService,
    private readonly codebases: CodebaseRepository,
    private readonly workers: WorkerRepository,
    private readonly createTask: CreateTaskUseCase,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async execute(codebaseId: string, sessionId: string, dto: ResumeSessionDto, correlationId: string | null): Promise<TaskView> {
    const session = await this.sessions.find(codebaseId, sessionId);
    if (!isResumableSessionId(session.id)) {
      // Sync keeps any id a CLI store has; only agent session ids can be passed to the agent to resume.
      const problem = `session ${session.id} cannot be resumed: an agent session id is ${RESUMABLE_SESSION_ID_RULE}`;
      throw apiError(400, problem, [{ field: 'session_id', problems: [problem] }]);
    }
    const codebase = await this.codebases.findById(codebaseId);
    if (!codebase) throw notFound('codebase', codebaseId);
    const worker = codebase.worker_id ? await this.workers.findById(codebase.worker_id) : null;
    if (!worker || workerStatusOf(worker, new Date(), livenessPolicy(this.config)) === 'offline') {
      const which = codebase.worker_id ? `its worker ${codebase.worker_id} is offline` : 'it has no worker';
      throw conflict(`cannot resume session ${sessionId}: codebase ${codebaseId} has no active worker (${which})`);
    }
    if (session.worker_id && session.worker_id !== worker.id) {
      throw conflict(
        `cannot resume session ${sessionId}: it was recorded by worker ${session.worker_id}, but codebase ${codebaseId} is now on worker ${worker.id}, which does not have it`,
      );
    }
    return this.createTask.execute({
      codebase_id: codebaseId,
      title: dto.title?.trim() || `Resume ${session.title ?? session.summary ?? session.id}`.slice(0, 500),
      prompt: dto.prompt,
      tool: toolOfSession(session.agent_type),
      priority: dto.priority,
      metadata: { ...(dto.metadata ?? {}), resume_session_id: session.id },
      correlation_id: correlationId,
    });
  }
}
