// One error type for every way a SendGrid call can fail, so callers can log and decide.

export type SendGridFailure = 'http' | 'timeout' | 'network';

export class SendGridError extends Error {
  constructor(
    readonly failure: SendGridFailure,
    message: string,
    /** HTTP status, when SendGrid answered. */
    readonly status: number | undefined,
    /** Response body as text (SendGrid puts `{errors:[{message, field}]}` there). */
    readonly body: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SendGridError';
  }

  /** Worth trying again later (e.g. from a queue): throttling, server errors, timeouts. */
  get retryable(): boolean {
    return this.failure !== 'http' || this.status === 429 || (this.status ?? 0) >= 500;
  }
}

/** First SendGrid error messages from a response body, for a readable Error.message. */
export function describeSendGridBody(body: string): string {
  try {
    const parsed = JSON.parse(body) as { errors?: Array<{ message?: string; field?: string | null }> };
    const messages = (parsed.errors ?? [])
      .map((e) => (e.field ? `${e.field}: ${e.message}` : e.message))
      .filter(Boolean);
    if (messages.length) return messages.slice(0, 3).join('; ');
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.slice(0, 200);
}
