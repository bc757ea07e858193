import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type Job, Queue, Worker } from 'bullmq';
import { REGISTER_CODEBASE_AGENT_TYPE } from '#contracts';
import { isTerminal, replyAddressForTask } from '#domain';
import { type ConfiguredEmailTransport, type EmailMessage, renderTaskNotification, taskThreadHeaders } from '#email';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import { Sql } from '../database/sql';
import { RedisConnections } from '../queue/redis-connections';
import { TaskEvents } from '../tasks/task-events';
import type { TaskRow } from '../tasks/task.entity';
import { EMAIL_TRANSPORT } from './email-transport.provider';
import { EmailRepository } from './email.repository';

/** BullMQ queue of notifications to send; any API replica's worker sends them. */
export const EMAIL_OUTBOUND_QUEUE = 'email-outbound';
/** Queue attempts (each transport call retries 429/5xx itself) with exponential backoff from 1 s. */
export const EMAIL_JOB_ATTEMPTS = 6;
export const EMAIL_JOB_BACKOFF_MS = 1_000;
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
const OUTPUT_TAIL_BYTES = 64 * 1024;

export const notifyEmailOf = (task: Pick<TaskRow, 'metadata'>): string | null => {
  const value = task.metadata?.notify_email;
  return typeof value === 'string' && value.trim() ? value.trim() : null;
};

/** Ancestor task ids of a continuation chain, kept in metadata by the inbound webhook. */
export const threadTaskIdsOf = (task: Pick<TaskRow, 'metadata'>): string[] => {
  const value = task.metadata?.email_thread_task_ids;
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
};

/**
 * Sends "your task ended" emails. It listens to TaskEvents.changed (after the status change
 * committed) and works off the request path: recording and sending never delay or fail the
 * worker's status callback. Each notification is an `emails` row (queued -> sent | failed, with
 * attempts and the last error) and a job on the `email-outbound` BullMQ queue, retried with
 * backoff. If Redis cannot take the job, the process retries in memory instead.
 */
@Injectable()
export class EmailNotificationService implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger(EmailNotificationService.name);
  private readonly pending = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
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
  ) {}

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
    await this.queue?.close().catch(() => undefined);
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
    const recipient = notifyEmailOf(task) ?? this.config.email.notificationEmail ?? null;
    if (!recipient) return;
    this.track(
      this.notify(task, recipient).catch((err: unknown) =>
        this.logger.error({ msg: 'task notification could not be recorded', task_id: task.id, err: String(err) }),
      ),
    );
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async notify(task: TaskRow, recipient: string): Promise<void> {
    const { transport, from } = this.configured!;
    const e = this.config.email;
    const [workerName, output] = await Promise.all([this.workerName(task.worker_id), this.outputTail(task.id)]);
    let replyAddress: string | null = null;
    if (e.inboundDomain && e.signingSecret) {
      try {
        replyAddress = replyAddressForTask({
          taskId: task.id,
          sessionId: task.session_id,
          recipient,
          secret: e.signingSecret,
          prefix: e.replyPrefix,
          domain: e.inboundDomain,
        }).address;
      } catch (err) {
        this.logger.warn({ msg: 'no reply address for task', task_id: task.id, err: String(err) });
      }
    }
    const rendered = renderTaskNotification({
      task,
      workerName,
      outputTail: output.text,
      outputTruncated: task.output_truncated || output.cut,
      replyAddress,
      appUrl: e.publicUrl ?? null,
    });
    const inbound = task.metadata?.email_in_reply_to;
    const thread = taskThreadHeaders({
      taskId: task.id,
      domain: e.inboundDomain ?? from.email.split('@')[1] ?? 'codefleet.local',
      ancestorTaskIds: threadTaskIdsOf(task),
      inboundMessageId: typeof inbound === 'string' ? inbound : null,
    });
    const row = await this.emails.insertOutbound({
      task_id: task.id,
      session_id: task.session_id,
      recipient,
      subject: rendered.subject,
      message_id: thread.messageId,
    });
    if (!row) return; // notified already (the status change was reported twice)

    const message: EmailMessage = {
      from,
      to: [{ email: recipient }],
      replyTo: replyAddress ? { email: replyAddress } : undefined,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      messageId: thread.messageId,
      inReplyTo: thread.inReplyTo,
      references: thread.references,
      autoSubmitted: 'auto-generated',
      headers: { 'X-Codefleet-Task-Id': task.id },
    };
    if (this.queue) {
      try {
        // The shared connection queues commands while Redis is down; do not wait forever.
        await withTimeout(this.queue.add(
          'send',
          { email_id: row.id, task_id: task.id, message },
          {
            jobId: row.id,
            attempts: EMAIL_JOB_ATTEMPTS,
            backoff: { type: 'exponential', delay: EMAIL_JOB_BACKOFF_MS },
            removeOnComplete: true,
            removeOnFail: 1000,
          },
        ), ENQUEUE_TIMEOUT_MS);
        return;
      } catch (err) {
        this.logger.warn({ msg: 'email queue unavailable: sending in process', task_id: task.id, error: String(err) });
      }
    }
    await this.sendInProcess(row.id, task.id, message);
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
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await this.emails.markAttempt(emailId, { status: last ? 'failed' : 'queued', error, provider: transport.provider });
      this.logger.warn({ msg: 'task notification failed', task_id: taskId, email_id: emailId, attempt: job.attemptsMade + 1, final: last, error });
      throw err;
    }
  }

  private async sendInProcess(emailId: string, taskId: string, message: EmailMessage): Promise<void> {
    const { transport } = this.configured!;
    const row = { id: emailId };
    const task = { id: taskId };
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await transport.send(message);
        await this.emails.markAttempt(row.id, { status: 'sent', provider: result.provider, provider_message_id: result.providerMessageId ?? null });
        this.logger.log({ msg: 'task notification sent', task_id: task.id, email_id: row.id, provider: result.provider });
        return;
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        const delay = NOTIFICATION_RETRY_DELAYS_MS[attempt];
        const last = delay === undefined || this.closing;
        await this.emails.markAttempt(row.id, { status: last ? 'failed' : 'queued', error, provider: transport.provider });
        this.logger.warn({ msg: 'task notification failed', task_id: task.id, email_id: row.id, attempt: attempt + 1, final: last, error });
        if (last) return;
        await this.sleep(delay);
        if (this.closing) {
          await this.emails.markAttempt(row.id, { status: 'failed', error: `${error} (not retried: shutting down)` });
          return;
        }
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

  private async workerName(workerId: string | null): Promise<string | null> {
    if (!workerId) return null;
    const row = await this.sql.one<{ name: string }>(`SELECT name FROM workers WHERE id = $1`, [workerId]);
    return row?.name ?? null;
  }

  /** The last OUTPUT_TAIL_BYTES (about) of the stored output; the renderer cuts it further. */
  private async outputTail(taskId: string): Promise<{ text: string; cut: boolean }> {
    const rows = await this.sql.rows<{ data: string; before: string }>(
      `SELECT data, before FROM (
         SELECT "offset", data, sum(octet_length(data)) OVER (ORDER BY "offset" DESC) - octet_length(data) AS before
         FROM task_output WHERE task_id = $1
       ) c WHERE before < $2 ORDER BY "offset"`,
      [taskId, OUTPUT_TAIL_BYTES],
    );
    const total = await this.sql.one<{ n: string }>(`SELECT count(*) AS n FROM task_output WHERE task_id = $1`, [taskId]);
    return { text: rows.map((r) => r.data).join(''), cut: Number(total?.n ?? 0) > rows.length };
  }
}
