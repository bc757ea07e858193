// Headers every outbound message carries, built once so SMTP and SendGrid send the same thing.
import { randomUUID } from 'node:crypto';
import type { EmailAddress, EmailMessage } from './email-message';

/** Refuses CR/LF in anything that becomes a header: a title must never inject headers. */
export function assertHeaderSafe(name: string, value: string): void {
  if (/[\r\n]/.test(value)) throw new Error(`header ${name} contains a line break`);
}

export function generateMessageId(from: EmailAddress): string {
  const domain = from.email.split('@')[1] || 'localhost';
  return `<${randomUUID()}@${domain}>`;
}

/** Message-ID, threading, Auto-Submitted and custom headers, validated. */
export function buildMessageHeaders(message: EmailMessage, messageId: string): Record<string, string> {
  const headers: Record<string, string> = { 'Message-ID': messageId };
  if (message.inReplyTo) headers['In-Reply-To'] = message.inReplyTo;
  if (message.references?.length) headers['References'] = message.references.join(' ');
  headers['Auto-Submitted'] = message.autoSubmitted ?? 'auto-generated';
  for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = value;
  for (const [name, value] of Object.entries(headers)) assertHeaderSafe(name, value);
  assertHeaderSafe('Subject', message.subject);
  return headers;
}
