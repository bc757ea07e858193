import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { isTerminal } from '#domain';
import { SESSION_SYNC_LIMITS } from '#contracts';
import type { TaskRow } from '../tasks/task.entity';
import { TaskEvents } from '../tasks/task-events';
import { SessionRepository } from './session.repository';
import { cleanText } from './session-text';
import { toolOfSession } from './session-tool';

/**
 * A task that reports its agent's session id (while running, and again when it ends) makes
 * that session visible (and resumable) before the worker's next sync fills in its title,
 * messages and statistics.
 */
@Injectable()
export class SessionFromTaskListener implements OnModuleInit {
  private readonly logger = new Logger(SessionFromTaskListener.name);

  constructor(
    private readonly events: TaskEvents,
    private readonly sessions: SessionRepository,
  ) {}

  onModuleInit(): void {
    this.events.onSessionReported((task) => this.recordInBackground(task));
    this.events.onChanged((task) => {
      if (isTerminal(task.status)) this.recordInBackground(task);
    });
  }

  private recordInBackground(task: TaskRow): void {
    if (!task.session_id || !task.codebase_id || !task.worker_id) return;
    this.record(task).catch((err: Error) =>
      this.logger.warn({ msg: "could not record a task's session", task_id: task.id, session_id: task.session_id, error: err.message }),
    );
  }

  private async record(task: TaskRow): Promise<void> {
    const finished = isTerminal(task.status) && task.finished_at ? new Date(task.finished_at) : new Date();
    await this.sessions.recordFromTask({
      id: task.session_id!,
      codebase_id: task.codebase_id!,
      worker_id: task.worker_id!,
      // A task without a tool ran the worker's default; the next sync corrects it if that was not OpenCode.
      agent_type: toolOfSession(task.tool),
      title: cleanText(task.title, SESSION_SYNC_LIMITS.maxTitle),
      summary: cleanText(task.prompt.trim(), SESSION_SYNC_LIMITS.maxTitle),
      created: task.started_at ? new Date(task.started_at) : finished,
      updated: finished,
    });
  }
}
