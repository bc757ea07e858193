import { type BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import type { HeartbeatResponse, RegisterWorkerResponse } from '#contracts';
import { CODEBASE_REGISTRATION_QUEUE, codebaseQueueName, workerQueueName } from '#domain';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { WorkerConfig } from '../config/worker-config';
import { ControlListener } from '../control/control-listener';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { JobProcessor } from '../queues/job-processor';
import { QueueConsumers } from '../queues/queue-consumers';
import { RedisConnections } from '../queues/redis-connections';
import { AgentRegistry } from '../runner/agent-registry';
import { SessionSyncService } from '../sessions/session-sync.service';
import type { Clock } from '../system/clock';
import { CodebaseDirectory } from '../tasks/codebase-directory';
import { RunningTasks } from '../tasks/running-tasks';
import { CLOCK, LOGGER, WORKER_CONFIG } from '../tokens';
import { HeartbeatService } from './heartbeat.service';
import { HttpTaskPoller } from './http-task-poller';
import { WorkerRegistrar } from './worker-registrar';

/** While in the HTTP fallback, how often to look whether Redis is back. */
const REDIS_RETRY_MS = 30_000;

type Mode = 'starting' | 'queues' | 'http-fallback' | 'draining' | 'stopped';

/**
 * The worker's lifecycle: register, register codebases, consume queues (or poll over HTTP
 * when Redis is unreachable), heartbeat, cancel on request, and shut down gracefully.
 */
@Injectable()
export class WorkerDaemon implements BeforeApplicationShutdown {
  private mode: Mode = 'starting';
  private readonly stopping = new AbortController();
  private connection: Redis | null = null;
  private queuePrefix = 'bull';
  private redisRetry: Promise<void> | null = null;
  private shutdownPromise: Promise<void> | null = null;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly client: ControlPlaneClient,
    private readonly registrar: WorkerRegistrar,
    private readonly heartbeat: HeartbeatService,
    private readonly codebases: CodebaseDirectory,
    private readonly running: RunningTasks,
    private readonly consumers: QueueConsumers,
    private readonly processor: JobProcessor,
    private readonly redis: RedisConnections,
    private readonly control: ControlListener,
    private readonly poller: HttpTaskPoller,
    private readonly sessionSync: SessionSyncService,
    private readonly agents: AgentRegistry,
  ) {
    codebases.on('changed', () => void this.reconcileQueues());
  }

  get currentMode(): Mode {
    return this.mode;
  }

  /** Resolves once the worker takes work (or shutdown began while it was still registering). */
  async start(): Promise<void> {
    const signal = this.stopping.signal;
    // Before any work arrives: an agent a crashed earlier run left behind must not share a codebase with a new task.
    await this.stopOrphanedAgents();
    if (signal.aborted) return;
    let registration: RegisterWorkerResponse;
    try {
      registration = await this.registerEverything(signal);
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
    if (signal.aborted) return;
    this.queuePrefix = registration.queue_prefix || 'bull';
    const redisUrl = this.config.redisUrl ?? registration.redis_url;
    if (redisUrl && (await this.redis.probe(redisUrl))) {
      await this.startQueues(redisUrl);
    } else {
      this.logger.warn(
        { redis_url: redisUrl ? redactUrl(redisUrl) : null },
        redisUrl ? 'Redis is unreachable: falling back to HTTP polling' : 'no Redis URL configured or offered by the server: using HTTP polling',
      );
      this.mode = 'http-fallback';
      this.poller.start();
      if (redisUrl) this.redisRetry = this.retryRedis(redisUrl);
    }
    // A SIGTERM during the steps above already ran the drain (heartbeat stopped, worker unregistered):
    // a heartbeat started now would register the worker again on its way out.
    if (signal.aborted) return;
    this.heartbeat.start({ onResponse: (res) => this.applyHeartbeat(res), onForgotten: () => this.reRegister() });
    this.sessionSync.start(registration.session_sync_interval_s);
  }

  private async stopOrphanedAgents(): Promise<void> {
    this.agents.ensureDir();
    // A few seconds at least: cancel_grace_s may be 0, and a group needs a moment to die.
    const graceMs = Math.max(this.config.cancelGraceS, 3) * 1000;
    const stopped = await this.agents.sweep({ graceMs });
    if (stopped.length > 0) this.logger.warn({ pids: stopped }, 'stopped agents left running by an earlier run of this worker');
  }

  /** A cancel from the control channel or a heartbeat: idempotent. */
  cancelTask(taskId: string, attempt: number): void {
    if (this.running.cancel(taskId, attempt, 'cancelled')) this.logger.info({ task_id: taskId, attempt }, 'cancel requested');
  }

  /** Second shutdown signal: every agent process group gets SIGKILL now. */
  killAgentsNow(): void {
    this.logger.warn({ running_tasks: this.running.size }, 'second signal: killing all agents now');
    this.running.killAll();
  }

  beforeApplicationShutdown(signal?: string): Promise<void> {
    return this.shutdown(signal);
  }

  shutdown(signal?: string): Promise<void> {
    this.shutdownPromise ??= this.drain(signal);
    return this.shutdownPromise;
  }

  private async drain(signal?: string): Promise<void> {
    const graceMs = this.config.shutdownGraceS * 1000;
    this.logger.info({ signal, running_tasks: this.running.size, shutdown_grace_s: this.config.shutdownGraceS }, 'shutting down: no new tasks');
    this.mode = 'draining';
    this.stopping.abort();
    this.processor.stopTakingWork();
    // Stopped alongside the drain, not before it: a sync pass ending must not eat into the tasks' grace.
    const syncStopped = this.sessionSync.stop();
    await Promise.all([this.consumers.pauseAll(), this.poller.stop(), this.redisRetry]);
    if (!(await this.running.whenEmpty(graceMs))) {
      this.logger.warn({ running_tasks: this.running.size }, 'grace period over: cancelling the remaining tasks');
      this.running.cancelAll('worker_shutdown');
      // Each run now gets cancel_grace_s before SIGKILL, then flushes and reports.
      await this.running.whenEmpty(this.config.cancelGraceS * 1000 + 30_000);
    }
    await this.poller.settled();
    await syncStopped;
    await this.consumers.closeAll();
    await this.heartbeat.stop();
    await this.control.stop();
    try {
      await this.client.unregister(this.config.workerId);
      this.logger.info('worker unregistered');
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not unregister');
    }
    if (this.connection) await this.connection.quit().catch(() => this.connection?.disconnect());
    this.mode = 'stopped';
    this.logger.info('worker stopped');
  }

  private async registerEverything(signal: AbortSignal): Promise<RegisterWorkerResponse> {
    const registration = await this.registrar.register(signal);
    this.heartbeat.setInterval(registration.heartbeat_interval_s);
    const views = await this.registrar.registerCodebases(signal);
    for (const v of views) this.codebases.add({ id: v.id, name: v.name, path: v.path });
    return registration;
  }

  private async reRegister(): Promise<void> {
    await this.registerEverything(this.stopping.signal);
  }

  private async startQueues(redisUrl: string): Promise<void> {
    this.connection = this.redis.create(redisUrl, `codefleet-worker-${this.config.workerId}`, (err) =>
      this.logger.warn({ err: err.message }, 'Redis connection error'),
    );
    this.consumers.configure(this.connection, this.queuePrefix);
    this.mode = 'queues';
    await this.reconcileQueues();
    await this.control
      .start(redisUrl, this.config.workerId, this.queuePrefix, {
        onCancel: (taskId, attempt) => this.cancelTask(taskId, attempt),
        onCodebasesChanged: () => this.heartbeat.beatNow(),
      })
      .catch((err: Error) => this.logger.error({ err: err.message }, 'could not subscribe to the control channel; cancels arrive with heartbeats only'));
  }

  private async retryRedis(url: string): Promise<void> {
    while (!this.stopping.signal.aborted) {
      await this.clock.sleep(REDIS_RETRY_MS, this.stopping.signal);
      if (this.stopping.signal.aborted || !(await this.redis.probe(url))) continue;
      this.logger.info('Redis is reachable again: leaving the HTTP fallback');
      await this.poller.stop();
      if (this.stopping.signal.aborted) return;
      await this.startQueues(url);
      this.heartbeat.beatNow();
      return;
    }
  }

  private async applyHeartbeat(res: HeartbeatResponse): Promise<void> {
    for (const c of res?.cancels ?? []) this.cancelTask(c.task_id, c.attempt);
    if (Array.isArray(res?.codebases)) this.codebases.replace(res.codebases);
  }

  private async reconcileQueues(): Promise<void> {
    if (this.mode !== 'queues') return;
    const wanted = [...this.codebases.ids().map(codebaseQueueName), workerQueueName(this.config.workerId), CODEBASE_REGISTRATION_QUEUE];
    await this.consumers.reconcile(wanted).catch((err: Error) => this.logger.error({ err: err.message }, 'could not reconcile queue consumers'));
  }
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
