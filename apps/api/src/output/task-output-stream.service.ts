import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { SSE_DONE_EVENT, SSE_OUTPUT_EVENT, type OutputChunkView, type TaskStreamMessage } from '#contracts';
import { isTerminal } from '#domain';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import type { ApiRequest, ApiResponse } from '../common/http-types';
import { onClientGone, openEventStream } from '../common/sse';
import { ChannelSubscriber } from '../queue/channel-subscriber';
import { LiveEvents } from '../queue/live-events';
import type { TaskRow } from '../tasks/task.entity';
import { TaskRepository } from '../tasks/task.repository';
import { chunkFrom, endOf } from './output-slice';
import { TaskOutputRepository } from './task-output.repository';

/** Read the database in pages of this size while replaying. */
const REPLAY_PAGE_BYTES = 1024 * 1024;
/** A gap in live offsets is usually a chunk still in flight; after this long, skip past it. */
const GAP_PATIENCE_MS = 3000;
const GAP_RETRY_MS = 500;

/**
 * SSE live tail of one task's output (DESIGN 6). Subscribes to the task channel first, then
 * replays stored chunks from the start offset, then follows live chunks; ends with a `done`
 * event once the task is terminal. `id:` of every event is the next offset, so a reconnect with
 * Last-Event-ID resumes exactly.
 */
@Injectable()
export class TaskOutputStreamService implements OnModuleDestroy {
  private readonly logger = new Logger(TaskOutputStreamService.name);
  private readonly followers = new Set<OutputFollower>();

  constructor(
    private readonly tasks: TaskRepository,
    private readonly output: TaskOutputRepository,
    private readonly subscriber: ChannelSubscriber,
    private readonly live: LiveEvents,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /** The task was checked to exist by the caller. */
  async follow(req: ApiRequest, res: ApiResponse, taskId: string, from: number): Promise<void> {
    const follower = new OutputFollower(
      { tasks: this.tasks, output: this.output, logger: this.logger },
      res,
      taskId,
      from,
      this.config.sseKeepAliveS * 1000,
      () => this.followers.delete(follower),
    );
    this.followers.add(follower);
    // The client may have left while the controller looked the task up: then this stops at once.
    onClientGone(req, res, () => follower.stop());
    await follower.start((listener) => this.subscriber.subscribe(this.live.taskChannel(taskId), listener));
  }

  get activeFollowers(): number {
    return this.followers.size;
  }

  /** Open streams would keep the HTTP server from closing. */
  onModuleDestroy(): void {
    for (const f of [...this.followers]) f.stop();
  }
}

interface FollowerDeps {
  tasks: TaskRepository;
  output: TaskOutputRepository;
  logger: Logger;
}

export class OutputFollower {
  private next: number;
  private stopped = false;
  private chain: Promise<void> = Promise.resolve();
  private keepAlive: NodeJS.Timeout | undefined;
  private gapRetry: NodeJS.Timeout | undefined;
  private gapSince: number | null = null;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly deps: FollowerDeps,
    private readonly res: ApiResponse,
    private readonly taskId: string,
    from: number,
    private readonly keepAliveMs: number,
    private readonly onStop: () => void,
  ) {
    this.next = from;
  }

  async start(subscribe: (listener: (m: unknown) => void) => Promise<() => void>): Promise<void> {
    if (this.stopped) return;
    openEventStream(this.res);

    // Subscribe before reading the database, so nothing published meanwhile is missed.
    const unsubscribe = await subscribe((m) => this.enqueue(() => this.onMessage(m as TaskStreamMessage)));
    if (this.stopped) {
      unsubscribe();
      return;
    }
    this.unsubscribe = unsubscribe;
    this.keepAlive = setInterval(() => this.write(': keep-alive\n\n'), this.keepAliveMs);
    this.enqueue(() => this.catchUp(false));
    this.enqueue(() => this.finishIfTerminal());
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.keepAlive);
    clearTimeout(this.gapRetry);
    this.unsubscribe?.();
    if (!this.res.writableEnded) this.res.end();
    this.onStop();
  }

  /** Messages and database reads are handled one at a time, in order. */
  private enqueue(work: () => Promise<void>): void {
    this.chain = this.chain
      .then(() => (this.stopped ? undefined : work()))
      .catch((err: Error) => {
        this.deps.logger.error(`output stream of ${this.taskId} failed: ${err.message}`, err.stack, 'TaskOutputStream');
        this.stop();
      });
  }

  private async onMessage(message: TaskStreamMessage): Promise<void> {
    if (message.type === 'output') {
      const bytes = Buffer.byteLength(message.data, 'utf8');
      if (message.offset + bytes <= this.next) return; // already sent
      if (message.offset <= this.next) {
        await this.send(chunkFrom({ offset: message.offset, data: message.data, bytes }, this.next));
        // This may have been the chunk a waiting gap needed: send what follows it now.
        if (this.gapSince !== null) await this.catchUp(false);
        return;
      }
      await this.catchUp(false); // a gap: the database has the missing chunks, or will soon
    } else if (message.type === 'status' && isTerminal(message.status)) {
      await this.finishIfTerminal();
    }
  }

  /**
   * Sends stored chunks from `next` on. With `final` false it stops at a gap and retries shortly
   * (the missing chunk may still be on its way); after GAP_PATIENCE_MS, or when `final`, it skips it.
   */
  private async catchUp(final: boolean): Promise<void> {
    for (;;) {
      const chunks = await this.deps.output.readFrom(this.taskId, this.next, REPLAY_PAGE_BYTES);
      if (chunks.length === 0) break;
      for (const stored of chunks) {
        if (stored.offset > this.next) {
          this.gapSince ??= Date.now();
          if (!final && Date.now() - this.gapSince < GAP_PATIENCE_MS) {
            this.scheduleGapRetry();
            return;
          }
          this.next = stored.offset;
        }
        this.gapSince = null;
        if (stored.offset + stored.bytes > this.next) await this.send(chunkFrom(stored, this.next));
        if (this.stopped) return;
      }
    }
    this.gapSince = null;
  }

  private scheduleGapRetry(): void {
    if (this.gapRetry) return;
    this.gapRetry = setTimeout(() => {
      this.gapRetry = undefined;
      this.enqueue(() => this.catchUp(false));
    }, GAP_RETRY_MS);
  }

  private async finishIfTerminal(): Promise<void> {
    const task = await this.deps.tasks.findById(this.taskId);
    if (!task) {
      this.stop();
      return;
    }
    if (!isTerminal(task.status)) return;
    await this.catchUp(true);
    await this.sendDone(task);
    this.stop();
  }

  private async send(chunk: OutputChunkView): Promise<void> {
    this.next = endOf(chunk);
    await this.write(`id: ${this.next}\nevent: ${SSE_OUTPUT_EVENT}\ndata: ${JSON.stringify(chunk)}\n\n`);
  }

  private async sendDone(task: TaskRow): Promise<void> {
    const done = { status: task.status, failure_reason: task.failure_reason, exit_code: task.exit_code, result: task.result };
    await this.write(`id: ${this.next}\nevent: ${SSE_DONE_EVENT}\ndata: ${JSON.stringify(done)}\n\n`);
  }

  /** Waits for the socket to drain, so a slow reader does not make us buffer a task's whole output. */
  private write(text: string): Promise<void> {
    if (this.stopped || this.res.writableEnded) return Promise.resolve();
    if (this.res.write(text)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }
}
