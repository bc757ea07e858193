// Entry point for the inbound webhook: one call for either Inbound Parse mode.
import type { InboundEmail, SendGridInboundPost } from './inbound-email';
import { parseDefaultInboundPost } from './sendgrid-inbound-default';
import { parseRawInboundPost } from './sendgrid-inbound-raw';

/** Raw mode when the post carries the whole message in `email`, default mode otherwise. */
export async function parseSendGridInbound(post: SendGridInboundPost): Promise<InboundEmail> {
  const isRaw = Object.keys(post.fields).some((name) => name.toLowerCase() === 'email');
  return isRaw ? parseRawInboundPost(post) : parseDefaultInboundPost(post);
}
