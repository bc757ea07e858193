/**
 * The worker's HTTP fallback (Redis unreachable) with the task stream: the real API pushes
 * `task_available` over GET /v1/worker/tasks/stream and the worker starts the task at once,
 * though its poll_interval is far longer than the test may take. Against an API without the
 * route it still works, by polling.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pino from 'pino';
import { WorkerTaskStreamService } from '../../../apps/api/src/worker-stream/worker-task-stream.service';
import { parseCliArgs } from '../../../apps/worker/src/config/cli-args';
import { loadWorkerConfig } from '../../../apps/worker/src/config/config-loader';
import { HttpTaskPoller } from '../../../apps/worker/src/lifecycle/http-task-poller';
import { WorkerDaemon } from '../../../apps/worker/src/lifecycle/worker-daemon';
import { WorkerModule } from '../../../apps/worker/src/worker.module';
import { ADMIN_TOKEN, eventually, startTestApi, type TestApi } from '../../support/api-harness';
import { WorkerHarness } from './worker-harness';

jest.setTimeout(30_000);

const UNREACHABLE_REDIS = 'redis://127.0.0.1:1';

/** A tool that leaves a trace in the codebase, so the test sees the task really ran there. */
function writerScript(dir: string): string {
  const path = join(dir, 'writer.sh');
  writeFileSync(path, '#!/bin/sh\necho "$1" > "$PWD/ran.txt"\necho "wrote $1"\n');
  chmodSync(path, 0o755);
  return path;
}

describe('worker: HTTP fallback with the task stream (real API)', () => {
  const workerId = `fb-${randomUUID().slice(0, 8)}`;
  const workerToken = `fallback-worker-token-${randomUUID()}`;
  const dir = mkdtempSync(join(tmpdir(), 'cf-fallback-stream-'));
  const repo = join(dir, 'repo');
  let api: TestApi;
  let worker: INestApplicationContext | null = null;

  beforeAll(async () => {
    mkdirSync(repo);
    // SESSION_SYNC_INTERVAL_S=0: the worker runs no CLI of its own during the test.
    api = await startTestApi({ A2A_AUTH_TOKENS: `admin:${ADMIN_TOKEN},box@worker/${workerId}:${workerToken}`, SESSION_SYNC_INTERVAL_S: '0' });
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  it('starts a new task within moments though poll_interval is 300 s', async () => {
    const configPath = join(dir, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        server_url: api.baseUrl,
        worker_id: workerId,
        auth_token: workerToken, // worker-scoped: the stream is bound to this worker id
        redis_url: UNREACHABLE_REDIS,
        poll_interval: 300,
        codebases: [{ name: 'repo', path: repo, description: 'fallback repo' }],
        tools: { writer: { command: writerScript(dir), args: ['{prompt}'] } },
        default_tool: 'writer',
      }),
    );
    const config = loadWorkerConfig({ cli: parseCliArgs(['-c', configPath]), env: {} }).config;
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, { logger: pino({ level: process.env.WORKER_TEST_LOG_LEVEL ?? 'silent' }) }), {
      logger: false,
    });
    const daemon = worker.get(WorkerDaemon);
    await daemon.start();
    expect(daemon.currentMode).toBe('http-fallback');

    // Quiet first: the stream is open and the start-up poll is over, so only the stream can start what comes next.
    const streams = api.app.get(WorkerTaskStreamService);
    const poller = worker.get(HttpTaskPoller);
    await eventually(async () => streams.activeStreams === 1 && !poller.pollInFlight, 'the worker to hold its task stream, with no poll under way');

    const codebaseId = ((await api.get(`/v1/agent/codebases?worker_id=${workerId}`).expect(200)).body.codebases[0] as { id: string }).id;
    for (const prompt of ['first via stream', 'second via stream']) {
      const task = (await api.post(`/v1/agent/codebases/${codebaseId}/tasks`, { title: prompt, prompt }).expect(201)).body as { id: string };
      const done = await eventually(async () => {
        const t = (await api.get(`/v1/agent/tasks/${task.id}`).expect(200)).body;
        return t.status === 'completed' || t.status === 'failed' ? t : null;
      }, `task "${prompt}" to finish`, 20_000);
      expect(done).toMatchObject({ status: 'completed', worker_id: workerId });
      expect(readFileSync(join(repo, 'ran.txt'), 'utf8')).toBe(`${prompt}\n`);
    }
  });

  it('closes its stream when it shuts down', async () => {
    await worker?.close();
    worker = null;
    const streams = api.app.get(WorkerTaskStreamService);
    await eventually(async () => streams.activeStreams === 0, 'the API to see the stream closed');
  });
});

describe('worker: HTTP fallback against an API without the task stream', () => {
  let h: WorkerHarness;
  afterEach(() => h.close());

  it('asks for the stream once, gets 404, and runs tasks by polling', async () => {
    h = new WorkerHarness();
    await h.startFake({ redisUrl: UNREACHABLE_REDIS });
    const repo = h.codebaseDir('repo');
    const tool = h.script('touch', 'echo "polled $1"');
    const cb = h.fake.addCodebase({ id: 'cb-poll', path: repo, worker_id: h.workerId });
    await h.startWorker({ tools: { touch: { command: tool } }, default_tool: 'touch' }, ['--poll-interval', '0.2']);
    expect(h.daemon.currentMode).toBe('http-fallback');
    h.fake.addTask('t-polled', { codebase_id: cb.id, prompt: 'late' });
    expect(await h.fake.waitForStatus('t-polled')).toMatchObject({ status: 'completed' });
    expect(h.fake.output('t-polled')).toBe('polled late\n');
    // Several polls happened meanwhile, but no second try at the missing route.
    await h.fake.waitFor(() => h.fake.callsTo('GET', /^\/v1\/agent\/tasks$/).length >= 3, 5000, 'more polls');
    expect(h.fake.callsTo('GET', /^\/v1\/worker\/tasks\/stream$/).map((c) => c.status)).toEqual([404]);
  });
});
