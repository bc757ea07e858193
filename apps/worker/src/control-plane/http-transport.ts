import type { Logger } from 'pino';
import type { Clock } from '../system/clock';
import { KeepAliveRequester, type PlainResponse } from './keep-alive-request';

/** The control plane answered with a non-2xx status. */
export class ApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    const detail = typeof body === 'object' && body !== null && 'message' in body ? (body as { message: unknown }).message : body;
    super(`${method} ${path} -> ${status}${detail ? `: ${Array.isArray(detail) ? detail.join('; ') : String(detail)}` : ''}`);
    this.name = 'ApiError';
  }
}

/** The control plane could not be reached (connection refused, DNS, timeout). */
export class NetworkError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly origin: unknown,
  ) {
    super(`${method} ${path}: ${describeCause(origin)}`);
    this.name = 'NetworkError';
  }
}

export interface RetryPolicy {
  /** Total tries; Infinity keeps going until `signal` aborts. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const NO_RETRY: RetryPolicy = { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 };

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | undefined>;
  retry?: RetryPolicy;
  signal?: AbortSignal;
  correlationId?: string | null;
  /** Told about each failed try that will be retried (e.g. to know a write may have landed). */
  onRetry?: (err: Error) => void;
}

export interface TransportOptions {
  baseUrl: string;
  token: string | null;
  timeoutMs: number;
  userAgent: string;
}

const isRetryable = (err: unknown): boolean =>
  err instanceof NetworkError || (err instanceof ApiError && (err.status >= 500 || err.status === 429 || err.status === 408));

/**
 * JSON over node:http with keep-alive connections (event streams over fetch), with a per-try
 * timeout, bearer auth, and exponential backoff with full jitter. It logs once when the control
 * plane becomes unreachable and once when it is back, not on every try. A `fetchFn` given to
 * the constructor (tests) carries every request instead.
 */
export class HttpTransport {
  private reachable = true;
  private readonly requester = new KeepAliveRequester();

  constructor(
    private readonly opts: TransportOptions,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly fetchFn?: typeof fetch,
  ) {}

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const retry = options.retry ?? NO_RETRY;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.once<T>(method, path, options);
        this.markReachable();
        return result;
      } catch (err) {
        if (err instanceof ApiError) this.markReachable(); // it answered
        else this.markUnreachable(err as Error);
        if (!isRetryable(err) || attempt >= retry.attempts || options.signal?.aborted) throw err;
        options.onRetry?.(err as Error);
        const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** Math.min(attempt - 1, 16));
        const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
        this.logger.debug({ method, path, attempt, delay_ms: delay, err: (err as Error).message }, 'control plane call failed, retrying');
        await this.clock.sleep(delay, options.signal);
        if (options.signal?.aborted) throw err;
      }
    }
  }

  /**
   * Opens a long-lived GET (a server-sent event stream) and returns the response once its
   * headers are in; the body is the caller's to read. Only the wait for the headers times out.
   * Throws ApiError for a non-2xx answer (with its JSON body) and NetworkError when unreachable.
   */
  async openStream(path: string, headers: Record<string, string>, signal: AbortSignal): Promise<Response> {
    const url = new URL(this.opts.baseUrl + path);
    const all: Record<string, string> = { accept: 'text/event-stream', 'user-agent': this.opts.userAgent, ...headers };
    if (this.opts.token) all.authorization = `Bearer ${this.opts.token}`;
    const connect = new AbortController();
    const timer = setTimeout(() => connect.abort(new DOMException('timed out', 'TimeoutError')), this.opts.timeoutMs);
    let res: Response;
    try {
      res = await (this.fetchFn ?? fetch)(url, { method: 'GET', headers: all, signal: AbortSignal.any([connect.signal, signal]) });
    } catch (err) {
      throw new NetworkError('GET', path, err);
    } finally {
      clearTimeout(timer);
    }
    if (res.ok) return res;
    const text = await res.text().catch(() => '');
    throw new ApiError('GET', path, res.status, parseBody(text, res.headers.get('content-type') ?? '') || res.statusText);
  }

  private async once<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    const url = new URL(this.opts.baseUrl + path);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': this.opts.userAgent };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    if (options.correlationId) headers['x-correlation-id'] = options.correlationId;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const timeout = AbortSignal.timeout(this.opts.timeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    let res: PlainResponse;
    try {
      res = this.fetchFn ? await viaFetch(this.fetchFn, url, method, headers, payload, signal) : await this.requester.send(url, method, headers, payload, signal);
    } catch (err) {
      throw new NetworkError(method, path, err);
    }
    const { text } = res;
    const body = parseBody(text, res.contentType);
    if (res.status < 200 || res.status > 299) throw new ApiError(method, path, res.status, body || res.statusText);
    return (text === '' ? undefined : body) as T;
  }

  private markUnreachable(err: Error): void {
    if (!this.reachable) return;
    this.reachable = false;
    this.logger.warn({ server_url: this.opts.baseUrl, err: err.message }, 'control plane unreachable; retrying in the background');
  }

  private markReachable(): void {
    if (this.reachable) return;
    this.reachable = true;
    this.logger.info({ server_url: this.opts.baseUrl }, 'control plane reachable again');
  }
}

async function viaFetch(fetchFn: typeof fetch, url: URL, method: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal): Promise<PlainResponse> {
  const res = await fetchFn(url, { method, headers, body, signal });
  return { status: res.status, statusText: res.statusText, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** A response body: parsed when the server says JSON and it parses, else the raw text (kept for error messages). */
function parseBody(text: string, contentType: string): unknown {
  if (!text || !contentType.includes('json')) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function describeCause(cause: unknown): string {
  // A timeout is a DOMException, which is not an Error in every realm (jest's vm).
  if ((cause as { name?: unknown } | null)?.name === 'TimeoutError') return 'timed out';
  if (cause instanceof Error) {
    const inner = (cause as { cause?: { code?: string; message?: string } }).cause;
    return inner?.code ? `${cause.message} (${inner.code})` : cause.message;
  }
  return String(cause);
}
