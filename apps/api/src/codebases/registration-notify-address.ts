import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { REGISTER_CODEBASE_AGENT_TYPE } from '#contracts';
import { TaskEvents } from '../tasks/task-events';
import type { TaskRow } from '../tasks/task.entity';
import { CodebaseRepository } from './codebase.repository';

/**
 * A codebase registered by path (202) gets the notification address it was registered with once
 * the worker that has the path completes the registration task (its result is the codebase id).
 * The worker's own registration call does not carry the address, so it rides in the task.
 * The result is trusted only for the codebase at the task's path on the worker that completed it.
 */
@Injectable()
export class RegistrationNotifyAddress implements OnModuleInit {
  private readonly logger = new Logger(RegistrationNotifyAddress.name);

  constructor(
    private readonly events: TaskEvents,
    private readonly codebases: CodebaseRepository,
  ) {}

  onModuleInit(): void {
    this.events.onChanged((task) => this.taskChanged(task));
  }

  private taskChanged(task: TaskRow): void {
    const email = task.metadata?.notification_email;
    const path = task.metadata?.path;
    if (task.agent_type !== REGISTER_CODEBASE_AGENT_TYPE || task.status !== 'completed' || typeof email !== 'string' || !task.result) return;
    if (typeof path !== 'string' || !task.worker_id) return;
    const codebaseId = task.result.trim();
    this.codebases
      .setNotificationEmail(codebaseId, email, { workerId: task.worker_id, path })
      .then((codebase) => {
        if (!codebase) {
          this.logger.warn({ msg: 'registration result is not the registered codebase of the worker that completed it; address not set', task_id: task.id, worker_id: task.worker_id, codebase_id: codebaseId, path });
        }
      })
      .catch((err: unknown) => this.logger.error({ msg: 'notification address not set on registered codebase', task_id: task.id, err: String(err) }));
  }
}
