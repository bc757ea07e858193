import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { REGISTER_CODEBASE_AGENT_TYPE } from '#contracts';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import type { ApiRequest, ApiResponse } from '../common/http-types';
import { onClientGone } from '../common/sse';
import { CodebaseRepository } from '../codebases/codebase.repository';
import { TaskRepository } from '../tasks/task.repository';
import { ChannelSubscriber } from '../queue/channel-subscriber';
import type { TaskRow } from '../tasks/task.entity';
import { taskAvailableMessage, workerTasksChannel } from './task-available';
import { TaskAvailableFollower } from './task-available-follower';

/** The replay announces at most this many waiting tasks; the worker's poll finds the rest. */
const REPLAY_LIMIT = 500;

export interface StreamTarget {
  workerId: string;
  /** Codebases to announce (null: all of the worker's); worker-global tasks always pass. */
  codebases: ReadonlySet<string> | null;
}

/** The open worker task streams of this replica (DESIGN 5, HTTP fallback). */
@Injectable()
export class WorkerTaskStreamService implements OnModuleDestroy {
  private readonly logger = new Logger(WorkerTaskStreamService.name);
  private readonly followers = new Set<TaskAvailableFollower>();

  constructor(
    private readonly tasks: TaskRepository,
    private readonly codebases: CodebaseRepository,
    private readonly subscriber: ChannelSubscriber,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /** The codebases (not deleted) this worker owns now. */
  async ownedCodebases(workerId: string): Promise<string[]> {
    return (await this.codebases.listActive(workerId)).map((c) => c.id);
  }

  async open(req: ApiRequest, res: ApiResponse, target: StreamTarget): Promise<void> {
    const wants = (task: { codebase_id: string | null }) => !target.codebases || task.codebase_id === null || target.codebases.has(task.codebase_id);
    const follower = new TaskAvailableFollower(res, this.config.sseKeepAliveS * 1000, {
      subscribe: (listener) => this.subscriber.subscribe(workerTasksChannel(this.config.queuePrefix, target.workerId), listener),
      loadPending: async () => (await this.pendingTasks(target.workerId)).filter(wants).map(taskAvailableMessage),
      wants,
      onError: (err) => this.logger.error({ msg: 'worker task stream failed', worker_id: target.workerId, error: err.message }),
      onStop: () => this.followers.delete(follower),
    });
    this.followers.add(follower);
    // The client may have left while the controller awaited its lookups: then this stops at once.
    onClientGone(req, res, () => follower.stop());
    this.logger.log({ msg: 'worker task stream opened', worker_id: target.workerId, codebases: target.codebases ? [...target.codebases] : 'all' });
    await follower.start();
  }

  get activeStreams(): number {
    return this.followers.size;
  }

  /** Open streams would keep the HTTP server from closing. */
  onModuleDestroy(): void {
    for (const f of [...this.followers]) f.stop();
  }

  private pendingTasks(workerId: string): Promise<TaskRow[]> {
    return this.tasks.pendingForWorker(workerId, REGISTER_CODEBASE_AGENT_TYPE, REPLAY_LIMIT);
  }
}
