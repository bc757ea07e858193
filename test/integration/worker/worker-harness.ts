/** Boots the worker's real Nest context against a FakeControlPlane and real Redis (unique prefix). */
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { jobIdFor, codebaseQueueName } from '#domain';
import { TASK_JOB_NAME, type TaskJob } from '#contracts';
import { parseCliArgs } from '../../../apps/worker/src/config/cli-args';
import { loadWorkerConfig } from '../../../apps/worker/src/config/config-loader';
import type { WorkerConfig } from '../../../apps/worker/src/config/worker-config';
import { WorkerDaemon } from '../../../apps/worker/src/lifecycle/worker-daemon';
import { WorkerModule } from '../../../apps/worker/src/worker.module';
import { FakeControlPlane } from './fake-control-plane';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export class WorkerHarness {
  readonly workerId = `w-${randomUUID().slice(0, 8)}`;
  readonly prefix = `cf-worker-test-${randomUUID().slice(0, 8)}`;
  readonly dir = mkdtempSync(join(tmpdir(), 'cf-worker-it-'));
  readonly redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  fake!: FakeControlPlane;
  app: INestApplicationContext | null = null;
  daemon!: WorkerDaemon;
  config!: WorkerConfig;
  private readonly queues = new Map<string, Queue>();

  async startFake(opts: { redisUrl?: string | null; heartbeatIntervalS?: number } = {}): Promise<FakeControlPlane> {
    this.fake = await FakeControlPlane.start({ queuePrefix: this.prefix, redisUrl: opts.redisUrl === undefined ? REDIS_URL : opts.redisUrl, heartbeatIntervalS: opts.heartbeatIntervalS });
    return this.fake;
  }

  /** A directory to serve as a codebase. */
  codebaseDir(name: string): string {
    const path = join(this.dir, name);
    mkdirSync(path, { recursive: true });
    return path;
  }

  /** An executable shell script for a custom tool. */
  script(name: string, body: string): string {
    const path = join(this.dir, `${name}.sh`);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  }

  /** Boots the worker with a real config file (and flags) as an operator would write it. */
  async startWorker(file: Record<string, unknown>, argv: string[] = []): Promise<WorkerDaemon> {
    const configPath = join(this.dir, `config-${randomUUID().slice(0, 6)}.json`);
    // state_dir: the agent records stay in the test's folder, not in the home of whoever runs the tests.
    writeFileSync(configPath, JSON.stringify({ server_url: this.fake.url, worker_id: this.workerId, state_dir: join(this.dir, 'state'), ...file }));
    this.config = loadWorkerConfig({ cli: parseCliArgs(['-c', configPath, ...argv]), env: {} }).config;
    const logger = pino({ level: process.env.WORKER_TEST_LOG_LEVEL ?? 'silent' });
    this.app = await NestFactory.createApplicationContext(WorkerModule.forRoot(this.config, { logger }), { logger: false });
    this.daemon = this.app.get(WorkerDaemon);
    await this.daemon.start();
    return this.daemon;
  }

  queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.redis, prefix: this.prefix });
      this.queues.set(name, q);
    }
    return q;
  }

  /** Enqueues a task job the way the API does (job id = task id + attempt). */
  async enqueueTask(codebaseId: string, job: Partial<TaskJob> & { task_id: string }): Promise<void> {
    const data: TaskJob = {
      attempt: 0,
      codebase_id: codebaseId,
      worker_id: this.workerId,
      title: 'test task',
      prompt: 'do it',
      agent_type: 'build',
      tool: null,
      model: null,
      resume_session_id: null,
      timeout_s: null,
      correlation_id: `corr-${job.task_id}`,
      ...job,
    };
    await this.queue(codebaseQueueName(codebaseId)).add(TASK_JOB_NAME, data, { jobId: jobIdFor(data.task_id, data.attempt) });
  }

  async stopWorker(): Promise<void> {
    const app = this.app;
    this.app = null;
    await app?.close();
  }

  async close(): Promise<void> {
    await this.stopWorker();
    for (const q of this.queues.values()) {
      await q.obliterate({ force: true }).catch(() => undefined);
      await q.close();
    }
    // Remove whatever else this test's prefix left behind (never touch other keys).
    const keys = await this.redis.keys(`${this.prefix}:*`);
    if (keys.length) await this.redis.del(...keys);
    this.redis.disconnect();
    await this.fake?.stop();
  }
}

export async function waitForJobState(queue: Queue, jobId: string, state: string, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    // State first, then the job: read the other way round, the job could be from before the change.
    if ((await queue.getJobState(jobId)) === state) return (await queue.getJob(jobId))!;
    if (Date.now() > end) throw new Error(`job ${jobId} did not reach ${state}`);
    await new Promise((r) => setTimeout(r, 30));
  }
}
