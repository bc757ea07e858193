import { HttpException, Inject, Injectable, Logger } from '@nestjs/common';
import { isResumableSessionId } from '#contracts';
import { decodeReplyAddress, verifyReplyAddress, type ReplyTargetKind } from '#domain';
import { autoReplyReason, extractReplyText, type InboundEmail, normalizeMessageId, parseModelDirective } from '#email';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import { TaskRepository } from '../tasks/task.repository';
import type { TaskRow } from '../tasks/task.entity';
import { CreateTaskUseCase } from '../tasks/usecases/create-task.usecase';
import { threadTaskIdsOf } from './notification-composer';
import { EmailRepository } from './email.repository';

export interface InboundOutcome {
  status: 'accepted' | 'rejected';
  reason?: string;
  task_id?: string;
  email_id?: string;
}

/** Thrown when a delivery could not be recorded: the webhook answers 5xx so SendGrid retries. */
export class InboundRecordingError extends Error {}

export interface ResolvedReply {
  address: string | null;
  kind?: ReplyTargetKind;
  id?: string;
  /** Why it is not acceptable; undefined when the address is genuine and the sender may use it. */
  rejection?: string;
}

const MAX_REFERENCE_CHAIN = 50;

/**
 * Turns a verified reply into a continuation task. Every delivery gets an `emails` row with its
 * outcome; replays of a Message-ID are recorded as rejected without being acted on.
 */
@Injectable()
export class EmailInboundService {
  private readonly logger = new Logger(EmailInboundService.name);

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly emails: EmailRepository,
    private readonly tasks: TaskRepository,
    private readonly createTask: CreateTaskUseCase,
  ) {}

  /** A delivery refused before it was read (bad webhook credentials, unreadable post). */
  async recordRefused(reason: string, error?: string): Promise<InboundOutcome> {
    const row = await this.recordOrThrow(() => this.emails.insertInbound({ status: 'rejected', reason }));
    if (!row) throw new InboundRecordingError('could not record inbound email');
    if (error) await this.emails.updateInbound(row.id, { status: 'rejected', reason, error: error.slice(0, 2000) }).catch(() => undefined);
    return { status: 'rejected', reason, email_id: row.id };
  }

  async handle(email: InboundEmail): Promise<InboundOutcome> {
    const sender = email.from?.address.toLowerCase() ?? null;
    const messageId = email.messageId ? normalizeMessageId(email.messageId) : null;
    const resolved = await this.resolve(email, sender);
    const base = {
      sender,
      recipient: resolved.address,
      subject: email.subject.slice(0, 1000),
      message_id: messageId,
      session_id: resolved.kind === 'session' ? resolved.id : null,
      task_id: resolved.kind === 'task' ? resolved.id : null,
    };
    let row = await this.recordOrThrow(() => this.emails.insertInbound({ ...base, status: 'received', dedup_message_id: messageId }));
    if (!row) {
      row = await this.recordOrThrow(() => this.emails.insertInbound({ ...base, status: 'rejected', reason: 'duplicate_message_id' }));
      return this.logged({ status: 'rejected', reason: 'duplicate_message_id', email_id: row!.id }, email);
    }
    const reject = async (reason: string): Promise<InboundOutcome> => {
      await this.recordOrThrow(() => this.emails.updateInbound(row!.id, { status: 'rejected', reason }));
      return this.logged({ status: 'rejected', reason, email_id: row!.id }, email);
    };

    const auto = autoReplyReason(email);
    if (auto) return reject(`auto_reply: ${auto}`);
    if (resolved.rejection) return reject(resolved.rejection);
    if (this.spoofed(email)) return reject('sender_not_authenticated');

    const original = await this.originalTask(resolved.kind!, resolved.id!);
    if (!original) return reject(resolved.kind === 'session' ? 'unknown_session' : 'unknown_task');
    const prompt = extractReplyText(email.text, email.html).trim();
    if (!prompt) return reject('empty_reply');

    const sessionId = resolved.kind === 'session' ? resolved.id! : original.session_id;
    if (sessionId && !isResumableSessionId(sessionId)) return reject('session_not_resumable');
    const { model } = parseModelDirective(email.subject);
    const metadata: Record<string, unknown> = {
      notify_email: sender,
      email_in_reply_to: messageId,
      email_thread_task_ids: [...threadTaskIdsOf(original), original.id].slice(-MAX_REFERENCE_CHAIN),
      parent_task_id: original.id,
    };
    if (sessionId) metadata.resume_session_id = sessionId;
    const carriedModel = typeof original.metadata?.model === 'string' ? original.metadata.model : original.model;
    if (model ?? carriedModel) metadata.model = model ?? carriedModel;
    try {
      const task = await this.createTask.execute({
        codebase_id: original.codebase_id ?? undefined,
        worker_id: original.codebase_id ? undefined : (original.worker_id ?? undefined),
        prompt,
        agent_type: original.agent_type,
        tool: original.tool ?? undefined,
        priority: original.priority,
        metadata,
        correlation_id: null,
      });
      await this.recordOrThrow(() =>
        this.emails.updateInbound(row!.id, { status: 'accepted', task_id: original.id, session_id: sessionId, created_task_id: task.id }),
      );
      return this.logged({ status: 'accepted', task_id: task.id, email_id: row.id }, email);
    } catch (err) {
      if (err instanceof InboundRecordingError) throw err;
      if (err instanceof HttpException && err.getStatus() < 500) {
        const message = (err.getResponse() as { message?: string }).message ?? err.message;
        return reject(`task_not_created: ${message}`);
      }
      // Transient (database, queue): forget the Message-ID so SendGrid's retry is processed.
      await this.emails
        .updateInbound(row.id, { status: 'rejected', reason: 'internal_error', error: String(err), releaseDedup: true })
        .catch(() => undefined);
      throw new InboundRecordingError(`continuation task not created: ${String(err)}`);
    }
  }

  /** The reply address (envelope recipients first), checked against the sender. */
  async resolve(email: InboundEmail, sender: string | null): Promise<ResolvedReply> {
    const e = this.config.email;
    const candidates = [...email.envelopeTo, ...email.to.map((a) => a.address), ...email.cc.map((a) => a.address)];
    const options = { prefix: e.replyPrefix, domain: e.inboundDomain };
    const address =
      candidates.find((a) => {
        const parsed = decodeReplyAddress(a, options);
        return parsed.ok || parsed.reason === 'malformed';
      }) ?? null;
    if (!address) return { address: null, rejection: 'no_reply_address' };
    if (!e.inboundDomain || !e.signingSecret) return { address, rejection: 'inbound_disabled' };
    if (!sender) return { address, rejection: 'no_sender' };
    const verified = verifyReplyAddress(address, sender, { ...options, secret: e.signingSecret });
    if (verified.ok) return { address, kind: verified.kind, id: verified.id };
    if (verified.reason !== 'bad_signature' || !verified.kind || !verified.id) {
      return { address, kind: verified.kind, id: verified.id, rejection: verified.reason === 'unsigned' ? 'unsigned_address' : `${verified.reason}_address` };
    }
    // The signature binds the address to the notification's recipient. Another sender is
    // accepted only when on EMAIL_ALLOWED_SENDERS and the address is genuine for a recipient
    // we really sent to; otherwise the address is forged or was forwarded.
    const target = { kind: verified.kind, id: verified.id };
    if (e.allowedSenders.includes(sender)) {
      for (const recipient of await this.emails.outboundRecipients(target.kind, target.id)) {
        if (verifyReplyAddress(address, recipient, { ...options, secret: e.signingSecret }).ok) return { address, ...target };
      }
    }
    const genuine = await this.genuineForSomeRecipient(address, target.kind, target.id);
    return { address, ...target, rejection: genuine ? 'sender_not_recipient' : 'bad_signature_address' };
  }

  private async genuineForSomeRecipient(address: string, kind: ReplyTargetKind, id: string): Promise<boolean> {
    const e = this.config.email;
    const recipients = await this.emails.outboundRecipients(kind, id);
    return recipients.some((r) => verifyReplyAddress(address, r, { prefix: e.replyPrefix, domain: e.inboundDomain, secret: e.signingSecret! }).ok);
  }

  /** SendGrid saw SPF fail and no passing DKIM: the From header is not to be trusted. */
  private spoofed(email: InboundEmail): boolean {
    const spf = email.auth.spf?.trim().toLowerCase();
    const dkim = email.auth.dkim?.toLowerCase() ?? '';
    return spf === 'fail' && !dkim.includes('pass');
  }

  private originalTask(kind: ReplyTargetKind, id: string): Promise<TaskRow | null> {
    return kind === 'task' ? this.tasks.findById(id) : this.tasks.findLatestBySession(id);
  }

  private async recordOrThrow<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw new InboundRecordingError(`could not record inbound email: ${String(err)}`);
    }
  }

  private logged(outcome: InboundOutcome, email: InboundEmail): InboundOutcome {
    this.logger.log({ msg: 'inbound email', ...outcome, message_id: email.messageId, from: email.from?.address });
    return outcome;
  }
}
