import { Inject, Injectable, Logger } from '@nestjs/common';
import { replyAddressForTask } from '#domain';
import { type ConfiguredEmailTransport, type EmailMessage, renderTaskNotification, taskThreadHeaders } from '#email';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import { TaskOutputRepository } from '../output/task-output.repository';
import { WorkerRepository } from '../workers/worker.repository';
import type { TaskRow } from '../tasks/task.entity';
import { EMAIL_TRANSPORT } from './email-transport.provider';

const OUTPUT_TAIL_BYTES = 64 * 1024;

/** Ancestor task ids of a continuation chain, kept in metadata by the inbound webhook. */
export const threadTaskIdsOf = (task: Pick<TaskRow, 'metadata'>): string[] => {
  const value = task.metadata?.email_thread_task_ids;
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
};

/**
 * The "task ended" message for one recipient. It depends only on stored facts (the task, its
 * output, the recipient), so a notification can be composed again when its queue job was lost.
 */
@Injectable()
export class NotificationComposer {
  private readonly logger = new Logger(NotificationComposer.name);

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(EMAIL_TRANSPORT) private readonly configured: ConfiguredEmailTransport | null,
    private readonly workers: WorkerRepository,
    private readonly output: TaskOutputRepository,
  ) {}

  async compose(task: TaskRow, recipient: string): Promise<EmailMessage> {
    const { from } = this.configured!;
    const e = this.config.email;
    const [workerName, output] = await Promise.all([this.workerName(task.worker_id), this.outputTail(task.id)]);
    const replyAddress = this.replyAddress(task, recipient);
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
      run: task.attempt,
    });
    return {
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
  }

  private replyAddress(task: TaskRow, recipient: string): string | null {
    const e = this.config.email;
    if (!e.inboundDomain || !e.signingSecret) return null;
    try {
      return replyAddressForTask({
        taskId: task.id,
        sessionId: task.session_id,
        recipient,
        secret: e.signingSecret,
        prefix: e.replyPrefix,
        domain: e.inboundDomain,
      }).address;
    } catch (err) {
      this.logger.warn({ msg: 'no reply address for task', task_id: task.id, err: String(err) });
      return null;
    }
  }

  private async workerName(workerId: string | null): Promise<string | null> {
    if (!workerId) return null;
    return (await this.workers.findById(workerId))?.name ?? null;
  }

  /** The last OUTPUT_TAIL_BYTES (about) of the stored output; the renderer cuts it further. */
  private async outputTail(taskId: string): Promise<{ text: string; cut: boolean }> {
    return this.output.readTail(taskId, OUTPUT_TAIL_BYTES);
  }
}
