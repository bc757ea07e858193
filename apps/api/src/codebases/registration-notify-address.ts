import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { REGISTER_CODEBASE_AGENT_TYPE } from '#contracts';
import { TaskEvents } from '../tasks/task-events';
import type { TaskRow } from '../tasks/task.entity';
import { CodebaseRepository } from './codebase.repository';

/**
 * A codebase registered by path (202) gets the notification address it was registered with once
 * the worker that has the path completes the registration task (its result is the codebase id).
 * The worker's own registration call does not carry the address, so it rides in the task.
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
    if (task.agent_type !== REGISTER_CODEBASE_AGENT_TYPE || task.status !== 'completed' || typeof email !== 'string' || !task.result) return;
    this.codebases
      .setNotificationEmail(task.result, email)
      .catch((err: unknown) => this.logger.error({ msg: 'notification address not set on registered codebase', task_id: task.id, err: String(err) }));
  }
}
