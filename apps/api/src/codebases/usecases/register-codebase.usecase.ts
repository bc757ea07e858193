import { Inject, Injectable, Logger } from '@nestjs/common';
import { type CodebaseView, REGISTER_CODEBASE_AGENT_TYPE } from '#contracts';
import { normalizeCodebasePath } from '#domain';
import type { ApiConfig } from '../../config/api-config';
import { API_CONFIG } from '../../config/config.module';
import { apiError, notFound } from '../../common/api-error';
import { newId } from '../../common/ids';
import { LiveEvents } from '../../queue/live-events';
import { TaskQueue } from '../../queue/task-queue';
import { TaskEvents } from '../../tasks/task-events';
import { TaskRepository } from '../../tasks/task.repository';
import { livenessPolicy } from '../../workers/liveness-policy';
import { workerStatusOf } from '../../workers/worker-view';
import { WorkerRepository } from '../../workers/worker.repository';
import { CodebaseRepository } from '../codebase.repository';
import { toCodebaseView } from '../codebase-view';
import type { CreateCodebaseDto } from '../dto/create-codebase.dto';
import { normalizedNotificationEmail } from '../dto/notification-email.property';

export const NO_WORKERS_AVAILABLE = 'No workers available';
/** Each online worker gets about three looks at a registration job. */
const REGISTRATION_ATTEMPTS_PER_WORKER = 3;

export type RegisterCodebaseResult =
  | { kind: 'registered'; codebase: CodebaseView }
  | { kind: 'pending'; task_id: string; message: string };

@Injectable()
export class RegisterCodebaseUseCase {
  private readonly logger = new Logger(RegisterCodebaseUseCase.name);

  constructor(
    private readonly codebases: CodebaseRepository,
    private readonly workers: WorkerRepository,
    private readonly tasks: TaskRepository,
    private readonly queue: TaskQueue,
    private readonly live: LiveEvents,
    private readonly events: TaskEvents,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async execute(dto: CreateCodebaseDto, correlationId: string | null): Promise<RegisterCodebaseResult> {
    let path: string;
    try {
      path = normalizeCodebasePath(dto.path);
    } catch (err) {
      throw apiError(400, (err as Error).message, [{ field: 'path', problems: [(err as Error).message] }]);
    }
    const description = dto.description ?? '';
    const notificationEmail = normalizedNotificationEmail(dto.notification_email);
    if (dto.worker_id) return this.registerOn(dto.worker_id, dto.name, path, description, notificationEmail);
    return this.askWorkers(dto.name, path, description, correlationId, notificationEmail);
  }

  /** The worker is known: register (or revive) the codebase and tell the worker at once. */
  private async registerOn(
    workerId: string,
    name: string,
    path: string,
    description: string,
    notificationEmail?: string | null,
  ): Promise<RegisterCodebaseResult> {
    const worker = await this.workers.findById(workerId);
    if (!worker) throw notFound('worker', workerId);
    const { codebase, inserted } = await this.codebases.upsert({
      id: newId('cb'),
      name,
      path,
      description,
      worker_id: workerId,
      notification_email: notificationEmail,
    });
    this.logger.log({ msg: inserted ? 'codebase registered' : 'codebase registered again', codebase_id: codebase.id, worker_id: workerId, path });
    await this.live.publishWorker(workerId, { type: 'codebases_changed' });
    return { kind: 'registered', codebase: toCodebaseView(codebase) };
  }

  /** No worker named: a registration task that the worker which has the path claims. */
  /** The notification address rides in the task's metadata until the registration completes (RegistrationNotifyAddress). */
  private async askWorkers(
    name: string,
    path: string,
    description: string,
    correlationId: string | null,
    notificationEmail?: string | null,
  ): Promise<RegisterCodebaseResult> {
    const now = new Date();
    const online = (await this.workers.list()).filter((w) => workerStatusOf(w, now, livenessPolicy(this.config)) === 'active');
    if (online.length === 0) throw apiError(400, NO_WORKERS_AVAILABLE);
    const task = await this.tasks.insert(
      {
        id: newId('task'),
        codebase_id: null,
        title: `Register codebase ${name}`,
        prompt: path,
        agent_type: REGISTER_CODEBASE_AGENT_TYPE,
        tool: null,
        model: null,
        priority: 0,
        worker_id: null,
        metadata: notificationEmail ? { name, path, description, notification_email: notificationEmail } : { name, path, description },
        correlation_id: correlationId,
      },
      now,
    );
    this.events.queued(task);
    await this.queue.enqueue(task, { registrationAttempts: REGISTRATION_ATTEMPTS_PER_WORKER * online.length });
    return {
      kind: 'pending',
      task_id: task.id,
      message: `Registration task created: the first online worker that has ${path} will register it`,
    };
  }
}
