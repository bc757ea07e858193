import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { isTerminal } from '#domain';
import { PeriodicRun } from '../common/periodic-run';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import { TaskRepository } from '../tasks/task.repository';
import { EmailNotificationService } from './email-notification.service';
import { EmailRepository } from './email.repository';
import { NotificationComposer } from './notification-composer';

/** A row untouched this long while `queued` has lost its job (sends and retries touch it sooner). */
export const STUCK_AFTER_MS = 60_000;
/** Older notifications are stale news: they are left as they are. */
export const RESEND_WINDOW_MS = 24 * 3600_000;
const BATCH = 100;
export const REQUEUED_ERROR = 'not sent: the task was requeued before this notification went out (a later run notifies on its own)';

export interface SweepResult {
  requeued: string[];
  failed: string[];
}

/**
 * Every EMAIL_RESEND_INTERVAL_MS: a notification left `queued` without its queue job (the API
 * died between the insert and the enqueue, or Redis was flushed) is composed again and enqueued
 * with job id = row id, so a job that exists is never duplicated and replicas can sweep together;
 * the job itself skips a row already `sent`. A row whose job ran out of attempts but stayed
 * `queued` (its last update was lost) ends `failed` with the job's error.
 */
@Injectable()
export class StuckNotificationSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(StuckNotificationSweeper.name);
  private readonly rounds = new PeriodicRun(
    () => this.sweep(),
    (err) => this.logger.warn({ msg: 'notification resend sweep failed; will retry', error: err.message }),
  );

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly notifications: EmailNotificationService,
    private readonly emails: EmailRepository,
    private readonly composer: NotificationComposer,
    private readonly tasks: TaskRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (this.notifications.enabled) this.rounds.start(this.config.email.resendSweepIntervalMs, true);
  }

  onApplicationShutdown(): Promise<void> {
    return this.rounds.stop();
  }

  async sweep(): Promise<SweepResult> {
    const result: SweepResult = { requeued: [], failed: [] };
    if (!this.notifications.enabled) return result;
    for (const row of await this.emails.stuckOutbound(STUCK_AFTER_MS, RESEND_WINDOW_MS, BATCH)) {
      if (this.notifications.isSendingInProcess(row.id) || !row.task_id || !row.recipient) continue;
      // Times out (and the sweep retries next round) while Redis is down.
      const job = await this.notifications.jobStateOf(row.id);
      if (job) {
        if (job.state === 'failed' && (await this.emails.markFailed(row.id, job.failedReason))) result.failed.push(row.id);
        continue; // waiting, delayed or active: it will run
      }
      const task = await this.tasks.findById(row.task_id);
      const unsendable = !task ? 'task no longer exists' : !isTerminal(task.status) || task.attempt !== row.task_attempt ? REQUEUED_ERROR : null;
      if (!task || unsendable) {
        // The message is composed from the task as it is now: never a "task ended" mail about a task that runs again.
        if (await this.emails.markFailed(row.id, unsendable)) result.failed.push(row.id);
        continue;
      }
      const message = await this.composer.compose(task, row.recipient);
      await this.notifications.enqueue(row.id, task.id, message);
      result.requeued.push(row.id);
    }
    if (result.requeued.length || result.failed.length) {
      this.logger.warn({ msg: 'stuck notifications handled', requeued: result.requeued, failed: result.failed });
    }
    return result;
  }
}
