// Sends through SendGrid Mail Send v3 over HTTPS, retrying what SendGrid says is worth retrying.
import { setTimeout as sleep } from 'node:timers/promises';
import type { EmailMessage, EmailSendResult, EmailTransport } from './email-message';
import { buildMessageHeaders, generateMessageId } from './message-headers';
import { backoffDelay, parseRetryAfter } from './retry-delay';
import { buildSendGridBody } from './sendgrid-payload';
import { describeSendGridBody, SendGridError } from './sendgrid-error';

export const DEFAULT_SENDGRID_API_URL = 'https://api.sendgrid.com';

export interface SendGridTransportOptions {
  apiKey: string;
  /** SENDGRID_API_URL; tests point it at a local server. */
  baseUrl?: string;
  /** Per HTTP attempt. */
  timeoutMs?: number;
  /** Retries after the first attempt, for 429, 5xx and connection errors. */
  maxRetries?: number;
  retryBaseDelayMs?: number;
  /** Upper bound for any single wait, including a Retry-After SendGrid asks for. */
  maxRetryDelayMs?: number;
}

type AttemptOutcome =
  | { ok: true; providerMessageId?: string }
  | { ok: false; error: SendGridError; retryAfterMs: number | null };

export class SendGridTransport implements EmailTransport {
  readonly provider = 'sendgrid' as const;
  private readonly endpoint: string;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly retryBaseDelayMs: number;
  private readonly maxRetryDelayMs: number;

  constructor(private readonly options: SendGridTransportOptions) {
    if (!options.apiKey) throw new Error('SendGridTransport needs an API key');
    this.endpoint = `${(options.baseUrl || DEFAULT_SENDGRID_API_URL).replace(/\/+$/, '')}/v3/mail/send`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxRetries = options.maxRetries ?? 3;
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 500;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
  }

  async send(message: EmailMessage): Promise<EmailSendResult> {
    const messageId = message.messageId ?? generateMessageId(message.from);
    const body = JSON.stringify(buildSendGridBody(message, buildMessageHeaders(message, messageId)));
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(body, attempt + 1);
      if (outcome.ok) return { provider: 'sendgrid', messageId, providerMessageId: outcome.providerMessageId };
      if (!outcome.error.retryable || outcome.error.failure === 'timeout' || attempt >= this.maxRetries) {
        throw outcome.error;
      }
      const backoff = backoffDelay(attempt, { baseDelayMs: this.retryBaseDelayMs, maxDelayMs: this.maxRetryDelayMs });
      await sleep(Math.min(this.maxRetryDelayMs, outcome.retryAfterMs ?? backoff));
    }
  }

  private async attempt(body: string, attempts: number): Promise<AttemptOutcome> {
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.options.apiKey}`, 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (cause) {
      // Checked by name: the DOMException may come from another realm, where instanceof fails.
      // A timed-out POST may still have been accepted, so send() does not retry it (no double
      // notification); the caller's job queue can decide.
      const name = (cause as { name?: unknown } | null)?.name;
      const timedOut = name === 'TimeoutError' || name === 'AbortError';
      const message = timedOut
        ? `SendGrid gave no answer within ${this.timeoutMs} ms`
        : `SendGrid unreachable: ${describeCause(cause)}`;
      const error = new SendGridError(timedOut ? 'timeout' : 'network', message, undefined, '', attempts, { cause });
      return { ok: false, error, retryAfterMs: null };
    }
    const text = await response.text();
    if (response.ok) return { ok: true, providerMessageId: response.headers.get('x-message-id') ?? undefined };
    const error = new SendGridError(
      'http',
      `SendGrid answered ${response.status}: ${describeSendGridBody(text)}`,
      response.status,
      text,
      attempts,
    );
    return { ok: false, error, retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) };
  }
}

function describeCause(cause: unknown): string {
  const outer = cause as { message?: unknown; cause?: { message?: unknown; code?: unknown } } | null;
  if (typeof outer?.message !== 'string') return String(cause);
  // fetch reports "fetch failed"; the reason (ECONNREFUSED...) is on its cause.
  const inner = outer.cause?.code ?? outer.cause?.message;
  return inner ? `${outer.message} (${String(inner)})` : outer.message;
}
