// Mail Send v3 request body for one message.
import type { EmailAddress, EmailMessage } from './email-message';

interface SendGridAddress {
  email: string;
  name?: string;
}

export interface SendGridMailBody {
  personalizations: Array<{ to: SendGridAddress[] }>;
  from: SendGridAddress;
  reply_to?: SendGridAddress;
  subject: string;
  content: Array<{ type: 'text/plain' | 'text/html'; value: string }>;
  headers: Record<string, string>;
  tracking_settings: Record<string, { enable: boolean; enable_text?: boolean }>;
}

/** Headers SendGrid refuses in `headers`; they are set through their own fields instead. */
const RESERVED_HEADERS = new Set(['to', 'from', 'subject', 'reply-to', 'cc', 'bcc', 'content-type']);

export function buildSendGridBody(message: EmailMessage, headers: Record<string, string>): SendGridMailBody {
  if (message.to.length === 0) throw new Error('email needs at least one recipient');
  const content: SendGridMailBody['content'] = [{ type: 'text/plain', value: message.text }];
  // SendGrid requires text/plain first when both parts are present.
  if (message.html) content.push({ type: 'text/html', value: message.html });
  const body: SendGridMailBody = {
    personalizations: [{ to: message.to.map(toSendGridAddress) }],
    from: toSendGridAddress(message.from),
    subject: message.subject,
    content,
    headers: Object.fromEntries(Object.entries(headers).filter(([name]) => !RESERVED_HEADERS.has(name.toLowerCase()))),
    // Rewritten tracking links look like phishing in a task report, and a pixel adds nothing.
    tracking_settings: { click_tracking: { enable: false, enable_text: false }, open_tracking: { enable: false } },
  };
  if (message.replyTo) body.reply_to = toSendGridAddress(message.replyTo);
  return body;
}

function toSendGridAddress(address: EmailAddress): SendGridAddress {
  return address.name ? { email: address.email, name: address.name } : { email: address.email };
}
