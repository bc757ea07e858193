import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type Job, Queue, Worker } from 'bullmq';
import { REGISTER_CODEBASE_AGENT_TYPE } from '#contracts';
import { isTerminal } from '#domain';
import type { ConfiguredEmailTransport, EmailMessage } from '#email';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import { CodebaseRepository } from '../codebases/codebase.repository';
import { RedisConnections, withTimeout } from '../queue/redis-connections';
import { TaskEvents } from '../tasks/task-events';
import type { TaskRow } from '../tasks/task.entity';
import { EMAIL_TRANSPORT } from './email-transport.provider';
import { EmailRepository } from './email.repository';
import { NotificationComposer } from './notification-composer';

/** BullMQ queue of notifications to send; any API replica's worker sends them. */
export const EMAIL_OUTBOUND_QUEUE = 'email-outbound';
/** The shared connection queues commands while Redis is down: no queue call waits longer. */
export const EMAIL_QUEUE_TIMEOUT_MS = 5_000;
/** A sender holds its claim on a row this long: far longer than a send takes (transports time out sooner). */
export const SEND_CLAIM_MS = 5 * 60_000;

/** Wait before retrying after `failedAttempts` failures: EMAIL_SEND_BACKOFF_MS doubling, like the job's exponential backoff. */
export const retryDelayMs = (backoffMs: number, failedAttempts: number): number => backoffMs * 2 ** (failedAttempts - 1);

export interface EmailJobState {
  state: string;
  failedReason: string | null;
}

interface EmailJobData {
  email_id: string;
  task_id: string;
  message: EmailMessage;
}

export const notifyEmailOf = (task: Pick<TaskRow, 'metadata'>): string | null => {
  const value = task.metadata?.notify_email;
  return typeof value === 'string' && value.trim() ? value.trim() : null;
};

/**
 * Sends "your task ended" emails. It listens to TaskEvents.changed (after the status change
 * committed) and works off the request path: recording and sending never delay or fail the
 * worker's status callback. Each notification is an `emails` row (queued -> sent | failed, with
 * attempts and the last error) and a job (id = row id) on the `email-outbound` BullMQ queue,
 * retried with backoff. If Redis cannot take the job, the process retries in memory instead (same
 * EMAIL_SEND_ATTEMPTS and backoff); StuckNotificationSweeper enqueues rows whose job was lost.
 * Every send first claims the row (EmailRepository.claimSend), so however the job and the
 * in-process retries of several replicas interleave, a row is sent at most once.
 */
@Injectable()
export class EmailNotificationService implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger(EmailNotificationService.name);
  private readonly pending = new Set<Promise<void>>();
  /** In-process retries waiting for their next attempt: shutdown wakes them (the row stays queued). */
  private readonly sleepers = new Map<NodeJS.Timeout, () => void>();
  /** Rows this process is sending itself (Redis was down): the sweeper leaves them alone. */
  private readonly sendingInProcess = new Set<string>();
  private closing = false;
  private queue: Queue<EmailJobData> | null = null;
  private worker: Worker<EmailJobData> | null = null;
  private workerConnection: ReturnType<RedisConnections['producer']['duplicate']> | null = null;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(EMAIL_TRANSPORT) private readonly configured: ConfiguredEmailTransport | null,
    private readonly events: TaskEvents,
    private readonly emails: EmailRepository,
    private readonly codebases: CodebaseRepository,
    private readonly redis: RedisConnections,
    private readonly composer: NotificationComposer,
  ) {}

  get enabled(): boolean {
    return this.configured !== null;
  }

  onModuleInit(): void {
    if (!this.configured) return;
    const prefix = this.config.queuePrefix;
    this.queue = new Queue<EmailJobData>(EMAIL_OUTBOUND_QUEUE, { connection: this.redis.producer, prefix });
    this.queue.on('error', (err: Error) => this.logger.warn({ msg: 'email queue error', error: err.message }));
    this.workerConnection = this.redis.producer.duplicate({ connectionName: 'codefleet-api-email' });
    this.workerConnection.on('error', () => undefined); // the worker's own 'error' handler logs
    this.worker = new Worker<EmailJobData>(EMAIL_OUTBOUND_QUEUE, (job) => this.processJob(job), {
      connection: this.workerConnection,
      prefix,
      concurrency: 4,
    });
    this.worker.on('error', (err: Error) => this.logger.warn({ msg: 'email worker error', error: err.message }));
    this.events.onChanged((task) => this.taskChanged(task));
  }

  /** Before the shared Redis connections close. */
  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    this.wakeSleepers();
    const worker = this.worker;
    this.worker = null;
    if (worker) {
      await worker.close().catch(() => undefined);
      await worker.disconnect().catch(() => undefined);
    }
    const queue = this.queue;
    this.queue = null;
    await queue?.close().catch(() => undefined);
    await this.workerConnection?.quit().catch(() => this.workerConnection?.disconnect());
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    this.wakeSleepers();
    await Promise.allSettled([...this.pending]);
    await this.configured?.transport.close?.();
  }

  /** Fire and forget: never throws, never awaited by the caller. */
  taskChanged(task: TaskRow): void {
    if (!this.configured || !isTerminal(task.status) || task.agent_type === REGISTER_CODEBASE_AGENT_TYPE) return;
    this.track(
      this.notify(task).catch((err: unknown) =>
        this.logger.error({ msg: 'task notification could not be recorded', task_id: task.id, err: String(err) }),
      ),
    );
  }

  /** metadata.notify_email, else the codebase's notification_email, else NOTIFICATION_EMAIL, else nobody. */
  async recipientFor(task: TaskRow): Promise<string | null> {
    const own = notifyEmailOf(task);
    if (own) return own;
    if (task.codebase_id) {
      const row = await this.codebases.findById(task.codebase_id);
      if (row?.notification_email) return row.notification_email;
    }
    return this.config.email.notificationEmail ?? null;
  }

  /** The state of a notification row's queue job, null when Redis no longer has it; throws when Redis does not answer in time. */
  async jobStateOf(emailId: string): Promise<EmailJobState | null> {
    const queue = this.queue;
    if (!queue) return null;
    return withTimeout(
      (async () => {
        const job = await queue.getJob(emailId);
        return job ? { state: await job.getState(), failedReason: job.failedReason ?? null } : null;
      })(),
      EMAIL_QUEUE_TIMEOUT_MS,
      'email job lookup',
    );
  }

  isSendingInProcess(emailId: string): boolean {
    return this.sendingInProcess.has(emailId);
  }

  /** Adds the row's job; job id = row id, so adding a job that exists is a no-op. */
  async enqueue(emailId: string, taskId: string, message: EmailMessage): Promise<void> {
    if (!this.queue) throw new Error('email queue not started');
    await withTimeout(
      this.queue.add(
        'send',
        { email_id: emailId, task_id: taskId, message },
        {
          jobId: emailId,
          attempts: this.config.email.sendAttempts,
          backoff: { type: 'exponential', delay: this.config.email.sendBackoffMs },
          removeOnComplete: true,
          removeOnFail: 1000,
        },
      ),
      EMAIL_QUEUE_TIMEOUT_MS,
      'email enqueue',
    );
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async notify(task: TaskRow): Promise<void> {
    const recipient = await this.recipientFor(task);
    if (!recipient) return;
    const message = await this.composer.compose(task, recipient);
    const row = await this.emails.insertOutbound({
      task_id: task.id,
      task_attempt: task.attempt,
      session_id: task.session_id,
      recipient,
      subject: message.subject,
      message_id: message.messageId!,
    });
    if (!row) return; // this run was notified already (the status change was reported twice)
    if (this.queue) {
      try {
        await this.enqueue(row.id, task.id, message);
        return;
      } catch (err) {
        this.logger.warn({ msg: 'email queue unavailable: sending in process', task_id: task.id, error: String(err) });
      }
    }
    this.sendingInProcess.add(row.id);
    try {
      await this.sendInProcess(row.id, task.id, message);
    } finally {
      this.sendingInProcess.delete(row.id);
    }
  }

  /** One queue attempt; throwing makes BullMQ retry it with backoff. */
  private async processJob(job: Job<EmailJobData>): Promise<void> {
    const { email_id: emailId, task_id: taskId, message } = job.data;
    // Sent or failed meanwhile, or another replica is sending it right now (and owns its retries).
    if (!(await this.emails.claimSend(emailId, SEND_CLAIM_MS))) return;
    const { transport } = this.configured!;
    try {
      const result = await transport.send(message);
      await this.emails.markAttempt(emailId, { status: 'sent', provider: result.provider, provider_message_id: result.providerMessageId ?? null });
      this.logger.log({ msg: 'task notification sent', task_id: taskId, email_id: emailId, provider: result.provider });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      // attemptsMade counts the attempts that already failed, not this one.
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await this.emails.markAttempt(emailId, { status: last ? 'failed' : 'queued', error, provider: transport.provider });
      this.logger.warn({ msg: 'task notification failed', task_id: taskId, email_id: emailId, attempt: job.attemptsMade + 1, final: last, error });
      throw err;
    }
  }

  private async sendInProcess(emailId: string, taskId: string, message: EmailMessage): Promise<void> {
    const { transport } = this.configured!;
    const attempts = this.config.email.sendAttempts;
    for (let attempt = 1; ; attempt++) {
      // Sent meanwhile (the resend sweep of another replica enqueued it while this one slept), or being sent.
      if (!(await this.emails.claimSend(emailId, SEND_CLAIM_MS))) return;
      try {
        const result = await transport.send(message);
        await this.emails.markAttempt(emailId, { status: 'sent', provider: result.provider, provider_message_id: result.providerMessageId ?? null });
        this.logger.log({ msg: 'task notification sent', task_id: taskId, email_id: emailId, provider: result.provider });
        return;
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        const last = attempt >= attempts;
        await this.emails.markAttempt(emailId, { status: last ? 'failed' : 'queued', error, provider: transport.provider });
        this.logger.warn({ msg: 'task notification failed', task_id: taskId, email_id: emailId, attempt, final: last, error });
        if (last) return;
        await this.sleep(retryDelayMs(this.config.email.sendBackoffMs, attempt));
        // Shutting down: the row stays queued and the resend sweep (any replica, or the next start) sends it.
        if (this.closing) return;
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.sleepers.delete(t);
        resolve();
      }, ms);
      t.unref();
      this.sleepers.set(t, resolve);
    });
  }

  private wakeSleepers(): void {
    for (const [t, wake] of this.sleepers) {
      clearTimeout(t);
      wake();
    }
    this.sleepers.clear();
  }
}
