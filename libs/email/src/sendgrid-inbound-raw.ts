// Raw Inbound Parse posts ("POST the raw, full MIME message"): the field `email` holds it all.
import { simpleParser } from 'mailparser';
import { buildInboundEmail } from './build-inbound-email';
import { decodeUnknownBytes } from './charset';
import type { HeaderLine } from './header-block';
import type { InboundEmail, SendGridInboundPost } from './inbound-email';
import { sendGridFieldReader, type FieldReader } from './sendgrid-inbound-fields';

export async function parseRawInboundPost(post: SendGridInboundPost): Promise<InboundEmail> {
  const name = Object.keys(post.fields).find((key) => key.toLowerCase() === 'email');
  const raw = name === undefined ? undefined : post.fields[name];
  if (raw === undefined) throw new Error('raw Inbound Parse post has no "email" field');
  return parseRawMime(messageBytes(raw, post.fieldEncoding ?? 'binary'), sendGridFieldReader(post));
}

/** Parses a whole MIME message; `field` supplies SendGrid's envelope, spam and auth fields. */
export async function parseRawMime(bytes: Buffer, field: FieldReader = () => undefined): Promise<InboundEmail> {
  const parsed = await simpleParser(bytes, {
    // Only the text parts and attachment metadata are needed: skip the costly conversions.
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
    skipTextLinks: true,
    checksumAlgo: false,
  });
  return buildInboundEmail(
    {
      headerLines: parsed.headerLines.map(toHeaderLine),
      text: parsed.text ?? null,
      html: typeof parsed.html === 'string' ? parsed.html : null,
      attachments: parsed.attachments.map((a) => ({
        filename: a.filename ?? 'attachment',
        contentType: a.contentType,
        size: a.size,
        ...(a.contentId ? { contentId: a.contentId } : {}),
      })),
    },
    field,
  );
}

/** The MIME text must be parsed from its exact bytes; a decoded string would garble 8-bit parts. */
function messageBytes(raw: string | Buffer, encoding: 'binary' | 'text'): Buffer {
  if (Buffer.isBuffer(raw)) return raw;
  return Buffer.from(raw, encoding === 'binary' && !/[^\u0000-\u00ff]/.test(raw) ? 'latin1' : 'utf8');
}

/** mailparser hands header lines over as byte strings: raw 8-bit headers are decoded here. */
function toHeaderLine(line: { key: string; line: string }): HeaderLine {
  const text = decodeUnknownBytes(Buffer.from(line.line, 'latin1'));
  const colon = text.indexOf(':');
  return { name: text.slice(0, colon).trim(), value: text.slice(colon + 1).replace(/\r?\n/g, '') };
}
