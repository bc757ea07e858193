import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { ApiClient } from './api-client';
import { API_MAIN, AppProcess, eventually, freePort, REPO_ROOT, WORKER_MAIN } from './processes';

const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_BASE = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TOOLS_DIR = join(REPO_ROOT, 'test', 'e2e', 'tools');

/**
 * One isolated Codefleet installation for an end-to-end test: its own database, its own Redis
 * database index, a real API process and real worker processes on this machine.
 */
export class Fleet {
  readonly id = randomBytes(4).toString('hex');
  readonly dir = mkdtempSync(join(tmpdir(), `codefleet-e2e-${this.id}-`));
  readonly token = randomBytes(24).toString('hex');
  readonly database = `cf_e2e_${this.id}`;
  readonly redisUrl: string;
  api!: AppProcess;
  client!: ApiClient;
  private readonly workers: AppProcess[] = [];

  constructor(redisDb = 9) {
    this.redisUrl = `${REDIS_BASE}/${redisDb}`;
  }

  get databaseUrl(): string {
    return PG_ADMIN_URL.replace(/\/[^/]*$/, `/${this.database}`);
  }

  async start(env: Record<string, string> = {}): Promise<this> {
    await adminQuery(`create database "${this.database}"`);
    await this.startApi(env);
    return this;
  }

  apiEnv: Record<string, string> = {};

  async startApi(env: Record<string, string> = {}): Promise<AppProcess> {
    const port = this.client ? Number(new URL(this.client.baseUrl).port) : await freePort();
    this.apiEnv = {
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: this.redisUrl,
      PORT: String(port),
      A2A_AUTH_TOKENS: `e2e:${this.token}`,
      QUEUE_PREFIX: `cf${this.id}`,
      HEARTBEAT_INTERVAL_S: '1',
      WORKER_OFFLINE_AFTER_MISSED: '3',
      RECONCILE_INTERVAL_MS: '500',
      LOG_LEVEL: 'info',
      ...env,
    };
    this.api = AppProcess.start('api', API_MAIN, [], { PATH: process.env.PATH, HOME: process.env.HOME, ...this.apiEnv });
    this.client = new ApiClient(`http://127.0.0.1:${port}`, this.token);
    await eventually(
      'the API to become ready',
      async () => {
        if (!this.api.running) throw new Error(`api exited:\n${this.api.tail()}`);
        const res = await fetch(`${this.client.baseUrl}/health/ready`);
        return res.status === 200 ? true : undefined;
      },
      30_000,
      200,
    ).catch((err) => {
      throw new Error(`${err}\n--- api log ---\n${this.api.tail()}`);
    });
    return this.api;
  }

  /** A directory that stands for a codebase on the worker's machine. */
  codebaseDir(name: string): string {
    const dir = join(this.dir, 'code', name);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Starts a worker process with a config file; resolves once the API lists it as active. */
  async startWorker(name: string, config: Record<string, unknown>, env: Record<string, string> = {}): Promise<AppProcess> {
    const configPath = join(this.dir, `${name}.json`);
    writeFileSync(
      configPath,
      JSON.stringify({ server_url: this.client.baseUrl, worker_name: name, cancel_grace_s: 2, shutdown_grace_s: 3, ...config }, null, 2),
    );
    const home = join(this.dir, 'home', name);
    mkdirSync(home, { recursive: true });
    const worker = AppProcess.start(`worker ${name}`, WORKER_MAIN, ['--config', configPath], {
      PATH: process.env.PATH,
      HOME: home,
      A2A_AUTH_TOKEN: this.token,
      A2A_REDIS_URL: this.redisUrl,
      ...env,
    });
    this.workers.push(worker);
    await eventually(
      `worker ${name} to be active`,
      async () => {
        if (!worker.running) throw new Error(`worker exited:\n${worker.tail()}`);
        const res = await this.client.call('GET', `/v1/agent/workers/${encodeURIComponent(name)}`);
        return res.status === 200 && res.body.status === 'active' ? true : undefined;
      },
      30_000,
      200,
    ).catch((err) => {
      throw new Error(`${err}\n--- worker log ---\n${worker.tail()}`);
    });
    // The worker registers its codebases right after itself: wait for them too.
    const expected = Array.isArray(config.codebases) ? config.codebases.length : 0;
    await eventually(`worker ${name} to register its ${expected} codebases`, async () => {
      const { codebases } = await this.client.ok('GET', `/v1/agent/codebases?worker_id=${encodeURIComponent(name)}`);
      return codebases.length >= expected ? true : undefined;
    }).catch((err) => {
      throw new Error(`${err}\n--- worker log ---\n${worker.tail()}`);
    });
    return worker;
  }

  /** Polls a task until it reaches one of the given statuses. */
  async waitForTask(taskId: string, statuses: string[], timeoutMs = 30_000): Promise<any> {
    return eventually(
      `task ${taskId} to become ${statuses.join('|')}`,
      async () => {
        const task = await this.client.ok('GET', `/v1/agent/tasks/${taskId}`);
        return statuses.includes(task.status) ? task : undefined;
      },
      timeoutMs,
      100,
    ).catch(async (err) => {
      const task = await this.client.call('GET', `/v1/agent/tasks/${taskId}`);
      throw new Error(`${err}\ntask: ${JSON.stringify(task.body)}\n--- api ---\n${this.api.tail(20)}\n--- workers ---\n${this.workers.map((w) => w.tail(30)).join('\n')}`);
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop('SIGTERM', 15_000)));
    if (this.api) await this.api.stop('SIGTERM', 10_000);
    await adminQuery(`drop database if exists "${this.database}" with (force)`).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Worker config entry for a command tool backed by a script in test/e2e/tools. */
export const scriptTool = (script: string, args: string[] = ['{prompt}']) => ({ command: join(TOOLS_DIR, script), args });
