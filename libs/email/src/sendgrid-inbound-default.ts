// Default ("parsed") Inbound Parse posts: SendGrid has split the message into fields already.
import { buildInboundEmail } from './build-inbound-email';
import { parseHeaderBlock } from './header-block';
import type { InboundAttachment, InboundEmail, InboundFile, SendGridInboundPost } from './inbound-email';
import { sendGridFieldReader } from './sendgrid-inbound-fields';

export function parseDefaultInboundPost(post: SendGridInboundPost): InboundEmail {
  const field = sendGridFieldReader(post);
  return buildInboundEmail(
    {
      headerLines: parseHeaderBlock(field('headers') ?? ''),
      // The subject field is already decoded into the charset SendGrid reports.
      subject: field('subject'),
      text: field('text') ?? null,
      html: field('html') ?? null,
      attachments: describeAttachments(post.files ?? [], field('attachment-info')),
    },
    field,
  );
}

/** `attachment-info` is JSON keyed by field name: {"attachment1":{"filename","type","content-id"}}. */
function describeAttachments(files: InboundFile[], infoJson: string | undefined): InboundAttachment[] {
  let info: Record<string, { filename?: string; name?: string; type?: string; 'content-id'?: string }> = {};
  try {
    info = infoJson ? JSON.parse(infoJson) : {};
  } catch {
    // without the info the uploaded files still describe themselves
  }
  return files.map((file) => {
    const meta = (file.fieldname && info[file.fieldname]) || {};
    const attachment: InboundAttachment = {
      filename: file.filename || meta.filename || meta.name || file.fieldname || 'attachment',
      contentType: file.contentType || meta.type || 'application/octet-stream',
      size: file.size ?? file.buffer.length,
    };
    if (meta['content-id']) attachment.contentId = meta['content-id'];
    return attachment;
  });
}
