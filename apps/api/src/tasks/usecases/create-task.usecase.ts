import { Injectable, Logger } from '@nestjs/common';
import { BUILTIN_AGENT_TYPES, DEFAULT_AGENT_TYPE, REGISTER_CODEBASE_AGENT_TYPE, type TaskView } from '#contracts';
import { apiError, conflict, notFound } from '../../common/api-error';
import { newId } from '../../common/ids';
import { CodebaseRepository } from '../../codebases/codebase.repository';
import { Sql } from '../../database/sql';
import { TaskQueue } from '../../queue/task-queue';
import type { WorkerEntity } from '../../workers/worker.entity';
import { WorkerRepository } from '../../workers/worker.repository';
import { TaskEvents } from '../task-events';
import { toTaskView } from '../task-view';
import { TaskRepository } from '../task.repository';

export interface CreateTaskCommand {
  codebase_id?: string;
  worker_id?: string;
  title?: string;
  prompt: string;
  agent_type?: string;
  tool?: string;
  priority?: number;
  metadata?: Record<string, unknown>;
  correlation_id: string | null;
}

export const titleFromPrompt = (prompt: string): string => {
  const line = prompt.trim().split('\n')[0].trim();
  return line.length > 80 ? `${line.slice(0, 77)}...` : line || 'Untitled task';
};

/** The tool must be installed on the worker, when the worker told us what it has. */
export function toolProblem(worker: Pick<WorkerEntity, 'id' | 'tools'>, tool: string | undefined, agentType: string): string | null {
  if (!tool || (BUILTIN_AGENT_TYPES as readonly string[]).includes(agentType)) return null;
  const tools = worker.tools ?? [];
  if (tools.length === 0 || tools.includes(tool)) return null;
  return `tool "${tool}" is not installed on worker ${worker.id} (installed: ${tools.join(', ')})`;
}

/** Inserts the task row, commits, then enqueues. */
@Injectable()
export class CreateTaskUseCase {
  private readonly logger = new Logger(CreateTaskUseCase.name);

  constructor(
    private readonly sql: Sql,
    private readonly tasks: TaskRepository,
    private readonly codebases: CodebaseRepository,
    private readonly workers: WorkerRepository,
    private readonly queue: TaskQueue,
    private readonly events: TaskEvents,
  ) {}

  async execute(cmd: CreateTaskCommand): Promise<TaskView> {
    const agentType = cmd.agent_type ?? DEFAULT_AGENT_TYPE;
    if (agentType === REGISTER_CODEBASE_AGENT_TYPE) {
      throw apiError(400, `agent_type ${REGISTER_CODEBASE_AGENT_TYPE} is reserved: register codebases with POST /v1/agent/codebases`);
    }
    const metadata = cmd.metadata ?? {};
    // The codebase row is share-locked until the insert commits, so a concurrent delete either
    // comes first (409 here) or sees this task and cancels it.
    const task = await this.sql.transaction(async () => {
      const workerId = await this.targetWorker(cmd);
      const worker = await this.workers.findById(workerId);
      if (!worker) throw notFound('worker', workerId);
      const problem = toolProblem(worker, cmd.tool, agentType);
      if (problem) throw apiError(422, problem, { tool: cmd.tool, installed: worker.tools });
      return this.tasks.insert(
        {
          id: newId('task'),
          codebase_id: cmd.codebase_id ?? null,
          title: cmd.title?.trim() || titleFromPrompt(cmd.prompt),
          prompt: cmd.prompt,
          agent_type: agentType,
          tool: cmd.tool ?? null,
          model: typeof metadata.model === 'string' ? metadata.model : null,
          priority: cmd.priority ?? 0,
          worker_id: workerId,
          metadata,
          correlation_id: cmd.correlation_id,
        },
        new Date(),
      );
    });
    // Committed: now enqueue (DESIGN 4.3: if this fails, the reconciler enqueues it later).
    this.events.queued(task);
    await this.queue.enqueue(task);
    this.logger.log({ msg: 'task created', task_id: task.id, codebase_id: task.codebase_id, worker_id: task.worker_id });
    return toTaskView(task);
  }

  /** The worker the task is routed to: the codebase's owner, or the named worker for a worker-global task. */
  private async targetWorker(cmd: CreateTaskCommand): Promise<string> {
    if (!cmd.codebase_id) {
      if (!cmd.worker_id) throw apiError(400, 'codebase_id is required (or worker_id for a worker-global task)');
      return cmd.worker_id;
    }
    const codebase = await this.codebases.shareLockById(cmd.codebase_id);
    if (!codebase) throw notFound('codebase', cmd.codebase_id);
    if (codebase.status === 'deleted') throw conflict(`codebase ${cmd.codebase_id} was deleted; register it again to run tasks in it`);
    if (!codebase.worker_id) throw conflict(`codebase ${cmd.codebase_id} has no worker`);
    if (cmd.worker_id && cmd.worker_id !== codebase.worker_id) {
      throw apiError(400, `codebase ${cmd.codebase_id} lives on worker ${codebase.worker_id}, not ${cmd.worker_id}`);
    }
    return codebase.worker_id;
  }
}
