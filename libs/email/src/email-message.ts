// What the app hands to a transport, independent of the provider behind it.

export interface EmailAddress {
  email: string;
  name?: string;
}

/** Threading and loop-prevention headers are first-class so no caller forgets them. */
export interface EmailMessage {
  from: EmailAddress;
  to: EmailAddress[];
  replyTo?: EmailAddress;
  subject: string;
  text: string;
  html?: string;
  /** Full header value including angle brackets, e.g. `<task-123@mail.example.com>`. */
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  /** Defaults to `auto-generated` on notifications, so well-behaved auto-responders stay quiet. */
  autoSubmitted?: 'auto-generated' | 'auto-replied' | 'no';
  /** Any other headers (X-Codefleet-Task-Id and the like). */
  headers?: Record<string, string>;
}

export interface EmailSendResult {
  provider: 'sendgrid' | 'smtp';
  /** The Message-ID header we sent (angle brackets included). */
  messageId: string;
  /** The provider's own id (SendGrid X-Message-Id, SMTP server queue response). */
  providerMessageId?: string;
}

export interface EmailTransport {
  readonly provider: EmailSendResult['provider'];
  send(message: EmailMessage): Promise<EmailSendResult>;
  close?(): Promise<void>;
}
