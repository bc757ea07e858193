// Sends through any SMTP server (self-hosting, local relays, tests) with nodemailer.
import { createTransport } from 'nodemailer';
import type { EmailAddress, EmailMessage, EmailSendResult, EmailTransport } from './email-message';
import { buildMessageHeaders, generateMessageId } from './message-headers';

export interface SmtpTransportOptions {
  /** SMTP_URL, e.g. `smtp://user:pass@mail.example.com:587` or `smtps://...:465`. */
  url: string;
  /** Per connection/greeting/socket stage. */
  timeoutMs?: number;
}

export class SmtpTransport implements EmailTransport {
  readonly provider = 'smtp' as const;
  private readonly mailer;

  constructor(options: SmtpTransportOptions) {
    if (!options.url) throw new Error('SmtpTransport needs SMTP_URL');
    const timeout = options.timeoutMs ?? 30_000;
    this.mailer = createTransport({
      url: options.url,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
  }

  async send(message: EmailMessage): Promise<EmailSendResult> {
    const messageId = message.messageId ?? generateMessageId(message.from);
    const headers = buildMessageHeaders(message, messageId);
    // nodemailer owns Message-ID/In-Reply-To/References through its own options.
    delete headers['Message-ID'];
    delete headers['In-Reply-To'];
    delete headers['References'];
    const info = await this.mailer.sendMail({
      from: toNodemailerAddress(message.from),
      to: message.to.map(toNodemailerAddress),
      replyTo: message.replyTo ? toNodemailerAddress(message.replyTo) : undefined,
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId,
      inReplyTo: message.inReplyTo,
      references: message.references,
      headers,
    });
    const queued = /queued as\s+([^\s]+)/i.exec(info.response ?? '');
    return { provider: 'smtp', messageId, providerMessageId: queued?.[1] };
  }

  async close(): Promise<void> {
    this.mailer.close();
  }
}

function toNodemailerAddress(address: EmailAddress): { name: string; address: string } {
  return { name: address.name ?? '', address: address.email };
}
