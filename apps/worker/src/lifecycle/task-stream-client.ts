import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { WorkerConfig } from '../config/worker-config';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { ApiError } from '../control-plane/http-transport';
import type { Clock } from '../system/clock';
import { CodebaseDirectory } from '../tasks/codebase-directory';
import { CLOCK, LOGGER, WORKER_CONFIG } from '../tokens';
import { SseParser } from './sse-parser';

/** Reconnect delays: from the server's `retry:` hint (else this), doubling up to the ceiling. */
const DEFAULT_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;
/** The server sends a keep-alive every 15 s; this long without a byte means a dead connection. */
const IDLE_LIMIT_MS = 60_000;

export const TASK_AVAILABLE_EVENT = 'task_available';

type Outcome = 'dropped' | 'route-missing' | 'restart';

/**
 * The HTTP fallback's push path (seed 001 "Reactive Execution"): holds
 * `GET /v1/worker/tasks/stream` open and calls `onTaskAvailable` for each `task_available`
 * event, reconnecting with backoff when the stream drops. An API without the route (404 that
 * is not "unknown worker") leaves the worker on polling alone.
 */
@Injectable()
export class TaskStreamClient {
  private loop: Promise<void> | null = null;
  private stopped = new AbortController();
  private connection: AbortController | null = null;
  private restartRequested = false;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly client: ControlPlaneClient,
    private readonly codebases: CodebaseDirectory,
  ) {}

  get running(): boolean {
    return this.loop !== null;
  }

  start(onTaskAvailable: () => void): void {
    if (this.loop) return;
    this.stopped = new AbortController();
    this.loop = this.run(onTaskAvailable).finally(() => (this.loop = null));
  }

  /** Reconnects now (the worker's codebases changed, so X-Codebases must too). */
  restart(): void {
    if (!this.connection) return;
    this.restartRequested = true;
    this.connection.abort();
  }

  async stop(): Promise<void> {
    this.stopped.abort();
    this.connection?.abort();
    await this.loop;
  }

  private async run(onTaskAvailable: () => void): Promise<void> {
    let delay = DEFAULT_RETRY_MS;
    /** Connections in a row that failed or gave no event nor keep-alive. */
    let failures = 0;
    while (!this.stopped.signal.aborted) {
      const parser = new SseParser();
      let outcome: Outcome;
      let error: string | null = null;
      try {
        outcome = await this.connectOnce(parser, () => {
          if (failures > 0) this.logger.info('task stream reconnected');
          failures = 0;
        }, onTaskAvailable);
      } catch (err) {
        if (this.stopped.signal.aborted) return;
        error = (err as Error).message;
        outcome = 'dropped';
      }
      if (this.stopped.signal.aborted) return;
      if (outcome === 'route-missing') {
        this.logger.warn('the server has no task stream (GET /v1/worker/tasks/stream answered 404): relying on polling every poll_interval');
        return;
      }
      if (outcome === 'restart') continue;
      const base = parser.retryMs ?? DEFAULT_RETRY_MS;
      if (parser.heardFrom) {
        delay = base;
        this.logger.info({ retry_ms: delay }, 'task stream closed by the server; reconnecting');
      } else {
        // A failure, or a 200 that was no event stream (a proxy's page): back off further each time.
        failures++;
        delay = Math.min(MAX_RETRY_MS, Math.max(base, delay * 2));
        // The first of a streak as a warning, the rest at debug: the poll keeps working meanwhile.
        this.logger[failures === 1 ? 'warn' : 'debug'](
          { err: error ?? 'closed before any event', retry_ms: delay, failures },
          'task stream unavailable; retrying with backoff (polling continues)',
        );
      }
      await this.clock.sleep(Math.round(delay / 2 + (Math.random() * delay) / 2), this.stopped.signal);
    }
  }

  /** One connection, until it ends; throws on failures that deserve a backoff. */
  private async connectOnce(parser: SseParser, onHeardFrom: () => void, onTaskAvailable: () => void): Promise<Outcome> {
    const connection = new AbortController();
    this.connection = connection;
    this.restartRequested = false;
    const signal = AbortSignal.any([connection.signal, this.stopped.signal]);
    try {
      let res: Response;
      try {
        res = await this.client.openTaskStream(this.config.workerId, this.codebases.ids(), this.config.capabilities, signal);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404 && !namesWorker(err.body)) return 'route-missing';
        if (this.restartRequested) return 'restart';
        throw err;
      }
      const type = res.headers.get('content-type') ?? '';
      if (!/^text\/event-stream\b/i.test(type.trim())) {
        await res.body?.cancel().catch(() => undefined);
        throw new Error(`the task stream answered ${res.status} with ${type || 'no content type'}, not text/event-stream`);
      }
      if (!res.body) throw new Error('the task stream answered without a body');
      this.logger.debug('task stream open');
      await this.read(res.body, parser, connection, onHeardFrom, onTaskAvailable);
      return this.restartRequested ? 'restart' : 'dropped';
    } catch (err) {
      if (this.restartRequested) return 'restart';
      throw err;
    } finally {
      this.connection = null;
    }
  }

  private async read(
    body: ReadableStream<Uint8Array>,
    parser: SseParser,
    connection: AbortController,
    onHeardFrom: () => void,
    onTaskAvailable: () => void,
  ): Promise<void> {
    const decoder = new TextDecoder();
    const reader = body.getReader();
    let idle = setTimeout(() => connection.abort(), IDLE_LIMIT_MS);
    const abort = () => void reader.cancel().catch(() => undefined);
    connection.signal.addEventListener('abort', abort, { once: true });
    this.stopped.signal.addEventListener('abort', abort, { once: true });
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        clearTimeout(idle);
        idle = setTimeout(() => connection.abort(), IDLE_LIMIT_MS);
        const heardBefore = parser.heardFrom;
        const messages = parser.push(decoder.decode(value, { stream: true }));
        if (!heardBefore && parser.heardFrom) onHeardFrom();
        for (const message of messages) {
          if (message.event === TASK_AVAILABLE_EVENT) onTaskAvailable();
        }
      }
    } finally {
      clearTimeout(idle);
      connection.signal.removeEventListener('abort', abort);
      this.stopped.signal.removeEventListener('abort', abort);
    }
  }
}

/** The API's "unknown worker" 404 carries details.worker_id; an API without the route does not. */
function namesWorker(body: unknown): boolean {
  const details = typeof body === 'object' && body !== null ? (body as { details?: unknown }).details : undefined;
  return typeof details === 'object' && details !== null && 'worker_id' in details;
}
