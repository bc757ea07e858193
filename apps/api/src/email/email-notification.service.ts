import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type Job, Queue, Worker } from 'bullmq';
import { REGISTER_CODEBASE_AGENT_TYPE } from '#contracts';
import { isTerminal } from '#domain';
import type { ConfiguredEmailTransport, EmailMessage } from '#email';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import { Sql } from '../database/sql';
import { RedisConnections } from '../queue/redis-connections';
import { TaskEvents } from '../tasks/task-events';
import type { TaskRow } from '../tasks/task.entity';
import { EMAIL_TRANSPORT } from './email-transport.provider';
import { EmailRepository } from './email.repository';
import { NotificationComposer } from './notification-composer';

export { threadTaskIdsOf } from './notification-composer';

/** BullMQ queue of notifications to send; any API replica's worker sends them. */
export const EMAIL_OUTBOUND_QUEUE = 'email-outbound';
/** Fallback when the job cannot be enqueued (Redis down): in-process retries, same record. */
export const NOTIFICATION_RETRY_DELAYS_MS = [1_000, 5_000, 30_000, 120_000];

const ENQUEUE_TIMEOUT_MS = 5_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
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
 * retried with backoff. If Redis cannot take the job, the process retries in memory instead;
 * StuckNotificationSweeper enqueues rows whose job was lost.
 */
@Injectable()
export class EmailNotificationService implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger(EmailNotificationService.name);
  private readonly pending = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
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
    private readonly sql: Sql,
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
    for (const t of this.timers) clearTimeout(t);
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
      const row = await this.sql.one<{ notification_email: string | null }>(`SELECT notification_email FROM codebases WHERE id = $1`, [task.codebase_id]);
      if (row?.notification_email) return row.notification_email;
    }
    return this.config.email.notificationEmail ?? null;
  }

  /** The queue job of a notification row, if Redis still has it. */
  async jobOf(emailId: string): Promise<Job<EmailJobData> | null> {
    if (!this.queue) return null;
    return (await this.queue.getJob(emailId)) ?? null;
  }

  isSendingInProcess(emailId: string): boolean {
    return this.sendingInProcess.has(emailId);
  }

  /** Adds the row's job; job id = row id, so adding a job that exists is a no-op. */
  async enqueue(emailId: string, taskId: string, message: EmailMessage): Promise<void> {
    if (!this.queue) throw new Error('email queue not started');
    // The shared connection queues commands while Redis is down; do not wait forever.
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
      ENQUEUE_TIMEOUT_MS,
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
      session_id: task.session_id,
      recipient,
      subject: message.subject,
      message_id: message.messageId!,
    });
    if (!row) return; // notified already (the status change was reported twice)
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
    const row = await this.emails.findById(emailId);
    if (!row || row.status === 'sent') return;
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
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await transport.send(message);
        await this.emails.markAttempt(emailId, { status: 'sent', provider: result.provider, provider_message_id: result.providerMessageId ?? null });
        this.logger.log({ msg: 'task notification sent', task_id: taskId, email_id: emailId, provider: result.provider });
        return;
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        const delay = NOTIFICATION_RETRY_DELAYS_MS[attempt];
        const last = delay === undefined;
        await this.emails.markAttempt(emailId, { status: last ? 'failed' : 'queued', error, provider: transport.provider });
        this.logger.warn({ msg: 'task notification failed', task_id: taskId, email_id: emailId, attempt: attempt + 1, final: last, error });
        if (last) return;
        await this.sleep(delay);
        // Shutting down: the row stays queued and the resend sweep (any replica, or the next start) sends it.
        if (this.closing) return;
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      t.unref();
      this.timers.add(t);
    });
  }
}
