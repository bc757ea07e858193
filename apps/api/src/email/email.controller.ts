import { type KeyObject, timingSafeEqual } from 'node:crypto';
import { Controller, Get, HttpCode, Inject, Logger, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse as ApiDocResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { replyAddressForTask } from '#domain';
import { autoReplyReason, extractReplyText, parseModelDirective, parseSendGridInbound } from '#email';
import { Public } from '../auth/public.decorator';
import { apiError } from '../common/api-error';
import { ClientRateLimit, sendTooManyRequests } from '../common/client-rate-limit';
import { ApiErrors, ErrorBodyDto } from '../common/swagger';
import type { ApiRequest, ApiResponse } from '../common/http-types';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import { EmailInboundService, InboundRecordingError } from './email-inbound.service';
import { InboundPostError, readInboundPost, readRawBody } from './inbound-multipart';
import { parseWebhookPublicKey, readSignatureHeaders, webhookSignatureMatches } from './webhook-signature';

/** Constant-time check of `Authorization: Basic ...` against EMAIL_INBOUND_BASIC_AUTH. */
export function basicAuthMatches(header: string | undefined, expected: { user: string; password: string }): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from(Buffer.from(match[1], 'base64').toString('utf8'));
  const wanted = Buffer.from(`${expected.user}:${expected.password}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

@ApiTags('email')
@Controller('v1/email')
export class EmailController {
  private readonly logger = new Logger(EmailController.name);
  /** SENDGRID_INBOUND_PUBLIC_KEY, validated when the config was loaded. */
  private readonly webhookKey?: KeyObject;
  /** EMAIL_INBOUND_RATE_LIMIT_PER_MINUTE per client address (the global throttler skips this route). */
  private readonly rateLimit: ClientRateLimit;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly inbound: EmailInboundService,
  ) {
    const key = config.email.sendgridInboundPublicKey;
    if (key) this.webhookKey = parseWebhookPublicKey(key);
    this.rateLimit = new ClientRateLimit(config.email.inboundRateLimitPerMinute);
  }

  /** Records a delivery whose webhook signature is missing, stale or wrong, and answers 403. */
  private async refuseSignature(res: ApiResponse, problem: string): Promise<void> {
    await this.inbound.recordRefused('bad_webhook_signature', problem);
    res.status(403).json({ statusCode: 403, error: 'Forbidden', message: `Invalid inbound email webhook signature: ${problem}` });
  }

  /**
   * SendGrid Inbound Parse webhook. Answers 200 for every delivery it could record (accepted or
   * rejected, so SendGrid does not retry for days), 401/403 for missing or wrong credentials, 403
   * for a missing, stale or wrong signature (with SENDGRID_INBOUND_PUBLIC_KEY), 5xx only when the
   * delivery could not be recorded.
   */
  @Post('inbound')
  @Public()
  @SkipThrottle()
  @ApiBasicAuth()
  @HttpCode(200)
  @ApiOperation({
    summary: 'SendGrid Inbound Parse webhook: a reply to a notification continues the session',
    description: 'multipart/form-data as SendGrid posts it (default or raw mode). 200 for every recorded delivery, accepted or rejected.',
  })
  @ApiOkResponse({ schema: { example: { status: 'accepted', task_id: 'task_abcdefghijklmnop', email_id: 'em_0123456789abcdef0123' } } })
  @ApiDocResponse({ status: 401, description: 'No Basic auth credentials (when EMAIL_INBOUND_BASIC_AUTH is set)', type: ErrorBodyDto })
  @ApiDocResponse({ status: 403, description: 'Wrong Basic auth credentials, or a missing, stale (over 10 minutes) or invalid webhook signature (when SENDGRID_INBOUND_PUBLIC_KEY is set)', type: ErrorBodyDto })
  @ApiDocResponse({ status: 429, description: 'More than EMAIL_INBOUND_RATE_LIMIT_PER_MINUTE posts from this address in a minute (nothing recorded; Retry-After says when to retry)', type: ErrorBodyDto })
  @ApiDocResponse({ status: 503, description: 'The delivery could not be recorded: SendGrid retries', type: ErrorBodyDto })
  async receive(@Req() req: ApiRequest, @Res() res: ApiResponse): Promise<void> {
    // Before credentials and before recording: a flood costs neither guesses nor rows.
    const rate = this.rateLimit.hit(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    if (!rate.allowed) {
      req.resume(); // drain the unread body so the connection can be reused
      sendTooManyRequests(res, rate, 'inbound email posts from this address');
      return;
    }
    try {
      const basic = this.config.email.inboundBasicAuth;
      if (basic && !basicAuthMatches(req.headers.authorization, basic)) {
        // Like the bearer guard: 401 without credentials, 403 with wrong ones.
        const missing = !/^Basic\s/i.test(req.headers.authorization ?? '');
        await this.inbound.recordRefused(missing ? 'missing_credentials' : 'bad_credentials');
        if (missing) {
          res.setHeader('WWW-Authenticate', 'Basic realm="codefleet-inbound-email"');
          res.status(401).json({ statusCode: 401, error: 'Unauthorized', message: 'Inbound email webhook needs Basic auth credentials (EMAIL_INBOUND_BASIC_AUTH)' });
        } else {
          res.status(403).json({ statusCode: 403, error: 'Forbidden', message: 'Invalid inbound email webhook credentials' });
        }
        return;
      }
      const tooLarge = (code?: string) => code === 'LIMIT_FIELD_VALUE' || code === 'LIMIT_FILE_SIZE' || code === 'LIMIT_BODY_SIZE';
      if (this.webhookKey) {
        // Signed webhook: check the headers, then the signature over timestamp + the exact body bytes.
        const signed = readSignatureHeaders(req.headers);
        if (typeof signed === 'string') return await this.refuseSignature(res, signed);
        let raw: Buffer;
        try {
          raw = await readRawBody(req);
        } catch (err) {
          if (!(err instanceof InboundPostError)) throw err;
          if (err.code === 'body_consumed') return await this.refuseSignature(res, err.message);
          res.status(200).json(await this.inbound.recordRefused(tooLarge(err.code) ? 'too_large' : 'unreadable_post', err.message));
          return;
        }
        if (!webhookSignatureMatches(this.webhookKey, signed, raw)) return await this.refuseSignature(res, 'signature does not match the body');
      }
      let post;
      try {
        post = await readInboundPost(req, res);
      } catch (err) {
        if (!(err instanceof InboundPostError)) throw err;
        const outcome = await this.inbound.recordRefused(tooLarge(err.code) ? 'too_large' : 'unreadable_post', err.message);
        res.status(200).json(outcome);
        return;
      }
      let email;
      try {
        email = await parseSendGridInbound(post);
      } catch (err) {
        res.status(200).json(await this.inbound.recordRefused('unparseable_email', String(err)));
        return;
      }
      res.status(200).json(await this.inbound.handle(email));
    } catch (err) {
      this.logger.error({ msg: 'inbound email not recorded', err: String(err) });
      if (res.headersSent) return;
      const message = err instanceof InboundRecordingError ? err.message : 'inbound email could not be processed';
      res.status(503).json({ statusCode: 503, message });
    }
  }

  @Get('test-reply-address')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The signed reply address a notification for this session to this recipient would carry' })
  @ApiErrors(400, 409)
  testReplyAddress(@Query('session_id') sessionId?: string, @Query('recipient') recipient?: string, @Query('task_id') taskId?: string) {
    const e = this.config.email;
    if (!e.inboundDomain || !e.signingSecret) throw apiError(409, 'inbound email is not configured: set EMAIL_INBOUND_DOMAIN and EMAIL_SIGNING_SECRET');
    if (!sessionId && !taskId) throw apiError(400, 'session_id (or task_id) is required');
    const to = recipient?.trim() || e.notificationEmail;
    if (!to) throw apiError(400, 'recipient is required (no NOTIFICATION_EMAIL configured)');
    const reply = replyAddressForTask({
      taskId: taskId ?? 'none',
      sessionId: sessionId ?? null,
      recipient: to,
      secret: e.signingSecret,
      prefix: e.replyPrefix,
      domain: e.inboundDomain,
    });
    return { reply_address: reply.address, kind: reply.kind, id: reply.id, recipient: to.toLowerCase() };
  }

  /** Parses a post the way the webhook would, creating and recording nothing. */
  @Post('test-inbound')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'How an Inbound Parse post would be parsed and judged (creates nothing)' })
  @ApiErrors(400)
  async testInbound(@Req() req: ApiRequest, @Res() res: ApiResponse): Promise<void> {
    let email;
    try {
      email = await parseSendGridInbound(await readInboundPost(req, res));
    } catch (err) {
      res.status(400).json({ statusCode: 400, message: `could not parse the post: ${(err as Error).message ?? String(err)}` });
      return;
    }
    const sender = email.from?.address.toLowerCase() ?? null;
    const resolved = await this.inbound.resolve(email, sender);
    const directive = parseModelDirective(email.subject);
    const auto = autoReplyReason(email);
    res.status(200).json({
      from: email.from,
      envelope_to: email.envelopeTo,
      to: email.to,
      subject: email.subject,
      message_id: email.messageId,
      in_reply_to: email.inReplyTo,
      reply_address: resolved.address,
      target: resolved.kind ? { kind: resolved.kind, id: resolved.id } : null,
      address_problem: resolved.rejection ?? null,
      auto_reply: auto,
      model: directive.model,
      prompt: extractReplyText(email.text, email.html),
      attachments: email.attachments,
      auth: email.auth,
    });
  }
}
