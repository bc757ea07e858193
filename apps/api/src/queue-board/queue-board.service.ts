import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Queue } from 'bullmq';
import { CodebaseRepository } from '../codebases/codebase.repository';
import { PeriodicRun } from '../common/periodic-run';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import { QueueRegistry } from '../queue/queue-registry';
import { RedisConnections } from '../queue/redis-connections';
import { WorkerRepository } from '../workers/worker.repository';
import { boardQueueNames } from './board-queue-names';

/** Where the board is mounted. */
export const QUEUE_BOARD_PATH = '/admin/queues';
/** Codebases and workers come and go: the list is also rebuilt this often when nobody looks. */
const REFRESH_INTERVAL_MS = 30_000;

interface ShownQueue {
  adapter: BullMQAdapter;
  queue: Queue;
  /** Created for the board (the API held no Queue of that name): closed when the queue leaves the board. */
  owned: boolean;
}

/**
 * Bull Board over the API's queues. Queue names are dynamic (one per codebase and worker), so
 * the board's list is rebuilt from the database when a page or the queue list is requested and
 * every 30 s. It reuses the Queue objects the API already holds and closes the ones it made
 * itself once their codebase or worker is gone.
 */
@Injectable()
export class QueueBoard implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(QueueBoard.name);
  private readonly serverAdapter = new ExpressAdapter();
  private board: ReturnType<typeof createBullBoard> | null = null;
  private readonly shown = new Map<string, ShownQueue>();
  private refreshing: Promise<void> | null = null;
  private readonly periodic = new PeriodicRun(
    () => this.refresh(),
    () => undefined, // logged by refresh()
  );

  constructor(
    private readonly registry: QueueRegistry,
    private readonly redis: RedisConnections,
    private readonly codebases: CodebaseRepository,
    private readonly workers: WorkerRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  onModuleInit(): void {
    if (!this.config.queueBoardEnabled) return;
    this.serverAdapter.setBasePath(QUEUE_BOARD_PATH);
    this.board = createBullBoard({ queues: [], serverAdapter: this.serverAdapter, options: { uiConfig: { boardTitle: 'Codefleet queues' } } });
    this.periodic.start(REFRESH_INTERVAL_MS);
  }

  /** The Express app serving the UI and its JSON API (mount it at QUEUE_BOARD_PATH). */
  router(): (req: unknown, res: unknown, next: (err?: unknown) => void) => void {
    return this.serverAdapter.getRouter();
  }

  /** Rebuilds the list; calls made while a rebuild runs share it. */
  refresh(): Promise<void> {
    this.refreshing ??= this.rebuild()
      .catch((err: Error) => {
        this.logger.warn({ msg: 'queue board refresh failed; showing the last list', error: err.message });
        throw err;
      })
      .finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  /** Queue names on the board, in board order. */
  names(): string[] {
    return [...this.shown.keys()];
  }

  private async rebuild(): Promise<void> {
    if (!this.board) return;
    const [codebases, workers] = await Promise.all([
      this.codebases.listActive(),
      this.workers.listActive(),
    ]);
    const wanted = boardQueueNames(
      codebases.map((r) => r.id),
      workers.map((r) => r.id),
    );
    const held = new Set(this.registry.names());
    for (const name of wanted) if (!this.shown.has(name)) this.shown.set(name, this.show(name, held.has(name)));
    const keep = new Set(wanted);
    const gone = [...this.shown.keys()].filter((name) => !keep.has(name));
    for (const name of gone) {
      const entry = this.shown.get(name)!;
      this.shown.delete(name);
      if (entry.owned) await entry.queue.close().catch(() => undefined);
    }
    this.board.replaceQueues([...this.shown.values()].map((s) => s.adapter));
  }

  private show(name: string, heldByApi: boolean): ShownQueue {
    let queue: Queue;
    if (heldByApi) {
      queue = this.registry.get(name);
    } else {
      // The shared producer connection: closing this Queue later leaves the connection open.
      queue = new Queue(name, { connection: this.redis.producer, prefix: this.config.queuePrefix });
      queue.on('error', (err: Error) => this.logger.warn({ msg: 'queue board queue error', queue: name, error: err.message }));
    }
    return { adapter: new BullMQAdapter(queue), queue, owned: !heldByApi };
  }

  async onModuleDestroy(): Promise<void> {
    await this.periodic.stop();
    await this.refreshing?.catch(() => undefined);
    const owned = [...this.shown.values()].filter((s) => s.owned);
    this.shown.clear();
    await Promise.all(owned.map((s) => s.queue.close().catch(() => undefined)));
  }
}
