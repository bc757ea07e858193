// The normalized shape of a received email, whichever way SendGrid posted it.

export interface InboundAddress {
  /** Lower-cased for the sender; as written for recipients (reply addresses decode case-insensitively). */
  address: string;
  name: string;
}

export interface InboundAttachment {
  filename: string;
  contentType: string;
  size: number;
  contentId?: string;
}

export interface InboundEmail {
  /** SMTP envelope recipients: the address the mail was really delivered to. */
  envelopeTo: string[];
  envelopeFrom: string | null;
  to: InboundAddress[];
  cc: InboundAddress[];
  from: InboundAddress | null;
  subject: string;
  date: Date | null;
  /** Message-IDs keep their angle brackets: `<abc@mail.example.com>`. */
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  /** Lower-case names; the first (most recent) value when a header repeats. */
  headers: Record<string, string>;
  text: string;
  html: string | null;
  attachments: InboundAttachment[];
  spamScore?: number;
  /** What SendGrid's receiving server observed; never trust the From header alone. */
  auth: { spf?: string; dkim?: string; senderIp?: string };
}

/** One uploaded file of the multipart post (as multer/busboy give it). */
export interface InboundFile {
  /** Form field name, `attachment1`... in default mode. */
  fieldname?: string;
  filename: string;
  contentType: string;
  size?: number;
  buffer: Buffer;
}

/**
 * The Inbound Parse post as the web layer received it. Non-ASCII fields can only be decoded
 * with the `charsets` field, so they are best passed as raw bytes: Buffers, or strings holding
 * one byte per character (`fieldEncoding: 'binary'`, e.g. busboy with `defCharset: 'latin1'`).
 * Strings already decoded as text (`'text'`) are taken as they are.
 */
export interface SendGridInboundPost {
  fields: Record<string, string | Buffer | undefined>;
  files?: InboundFile[];
  fieldEncoding?: 'binary' | 'text';
}
