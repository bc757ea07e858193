// Mail no person wrote (out-of-office, bounces, lists) must never start an agent run.
import type { InboundEmail } from './inbound-email';

const BULK_PRECEDENCE = /^(bulk|junk|list|auto_reply)$/i;
const ROBOT_LOCAL_PARTS = /^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?)([+-].*)?$/i;
/** Subjects of out-of-office replies and bounces, after any Re:/AW: prefixes. */
const AUTO_SUBJECT_PHRASES = [
  'out of (the )?office',
  'automatic reply',
  'auto(matic)?[- ]?(reply|response)',
  'autoreply',
  'away from (the )?office',
  'on vacation',
  'vacation reply',
  'abwesenheitsnotiz',
  'automatische antwort',
  'r[ée]ponse automatique',
  'respuesta autom[áa]tica',
  'undeliverable',
  'undelivered mail',
  'delivery status notification',
  'mail delivery (failed|failure|subsystem)',
  'returned mail',
  'failure notice',
];
const AUTO_SUBJECTS = new RegExp(`^(${AUTO_SUBJECT_PHRASES.join('|')})\\b`, 'i');

type AutoReplySignals = Pick<InboundEmail, 'headers' | 'from' | 'subject' | 'attachments'>;

/** Why the message looks automatic, or null for mail a person sent. */
export function autoReplyReason(email: AutoReplySignals): string | null {
  const h = email.headers;
  const autoSubmitted = h['auto-submitted']?.split(';')[0].trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return `Auto-Submitted: ${autoSubmitted}`;
  if ('x-autoreply' in h) return 'X-Autoreply';
  if ('x-autorespond' in h) return 'X-Autorespond';
  if ('x-autoresponse' in h) return 'X-Autoresponse';
  if (h.precedence && BULK_PRECEDENCE.test(h.precedence.trim())) return `Precedence: ${h.precedence.trim()}`;
  if ('list-id' in h) return 'List-Id';
  if ('list-unsubscribe' in h) return 'List-Unsubscribe';
  if (h['return-path']?.replace(/\s/g, '') === '<>') return 'empty Return-Path';
  const localPart = email.from?.address.split('@')[0] ?? '';
  if (ROBOT_LOCAL_PARTS.test(localPart)) return `sender ${email.from?.address}`;
  if (/multipart\/report/i.test(h['content-type'] ?? '')) return 'delivery or read report';
  if (email.attachments.some((a) => /^message\/(delivery-status|disposition-notification)/i.test(a.contentType))) {
    return 'delivery or read report';
  }
  const subject = email.subject.replace(/^((re|aw|fw|fwd|sv|antw)\s*:\s*)+/i, '').trim();
  if (AUTO_SUBJECTS.test(subject)) return `subject "${email.subject}"`;
  return null;
}

export function isAutoReply(email: AutoReplySignals): boolean {
  return autoReplyReason(email) !== null;
}
