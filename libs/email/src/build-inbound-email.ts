// Assembles an InboundEmail from the header lines, body parts and SendGrid's own fields; the
// same code for default and raw posts, so both modes give identical results.
import { parseAddressList } from './address-list';
import { headerMap, messageIdList, type HeaderLine } from './header-block';
import type { InboundAttachment, InboundEmail } from './inbound-email';
import type { FieldReader } from './sendgrid-inbound-fields';

export interface InboundParts {
  headerLines: HeaderLine[];
  /** Decoded subject when the MIME parser already has it; else taken from the headers. */
  subject?: string;
  text: string | null;
  html: string | null;
  attachments: InboundAttachment[];
}

export function buildInboundEmail(parts: InboundParts, field: FieldReader): InboundEmail {
  const headers = headerMap(parts.headerLines);
  // Address headers are parsed raw: decoding first would let a comma in a name split it.
  const rawHeader = (name: string) => parts.headerLines.find((h) => h.name.toLowerCase() === name)?.value;
  const [from] = parseAddressList(rawHeader('from') ?? field('from'));
  const envelope = parseEnvelope(field('envelope'));
  const spamScore = Number.parseFloat(field('spam_score') ?? '');
  const date = headers.date ? new Date(headers.date) : null;
  const email: InboundEmail = {
    envelopeTo: envelope.to,
    envelopeFrom: envelope.from,
    to: parseAddressList(rawHeader('to') ?? field('to')),
    cc: parseAddressList(rawHeader('cc') ?? field('cc')),
    from: from ? { address: from.address.toLowerCase(), name: from.name } : null,
    subject: parts.subject ?? headers.subject ?? field('subject') ?? '',
    date: date && !Number.isNaN(date.getTime()) ? date : null,
    messageId: messageIdList(headers['message-id'])[0] ?? null,
    inReplyTo: messageIdList(headers['in-reply-to'])[0] ?? null,
    references: messageIdList(headers.references),
    headers,
    text: parts.text ?? '',
    html: parts.html || null,
    attachments: parts.attachments,
    auth: compact({ spf: field('spf'), dkim: field('dkim'), senderIp: field('sender_ip') }),
  };
  if (Number.isFinite(spamScore)) email.spamScore = spamScore;
  return email;
}

/** `envelope` is JSON: {"to":["task+...@inbound.example.com"],"from":"bob@example.com"}. */
function parseEnvelope(value: string | undefined): { to: string[]; from: string | null } {
  if (!value) return { to: [], from: null };
  try {
    const parsed = JSON.parse(value) as { to?: unknown; from?: unknown };
    const to = Array.isArray(parsed.to) ? parsed.to : typeof parsed.to === 'string' ? [parsed.to] : [];
    return {
      to: to.filter((a): a is string => typeof a === 'string').map((a) => a.trim()),
      from: typeof parsed.from === 'string' ? parsed.from.trim() : null,
    };
  } catch {
    return { to: [], from: null };
  }
}

function compact<T extends Record<string, string | undefined>>(values: T): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== '')) as {
    [K in keyof T]?: string;
  };
}
