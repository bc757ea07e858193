import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { CODEBASE_REGISTRATION_QUEUE, jobIdFor } from '#domain';
import { eventually, startTestApi, type TestApi } from '../../support/api-harness';
import { FakeWorker } from '../../support/fake-worker';
import { QueueInspector } from '../../support/queue-inspector';
import { deleteKeysWithPrefix } from '../../support/test-redis';

describe('reconciler', () => {
  let api: TestApi;
  let queues: QueueInspector;
  let worker: FakeWorker;
  let codebaseId: string;
  beforeAll(async () => {
    api = await startTestApi({ RECONCILE_INTERVAL_MS: '300' });
    queues = new QueueInspector(api);
    worker = new FakeWorker(api, 'rec-worker');
    await worker.register();
    codebaseId = (await worker.addCodebase('/srv/reconcile')).id;
  });
  afterAll(async () => {
    await queues?.close();
    await api?.close();
  });

  it('puts back the job of a pending task that lost it', async () => {
    const task = (await api.post(`/v1/agent/codebases/${codebaseId}/tasks`, { prompt: 'p' }).expect(201)).body;
    const queueName = `codebase-${codebaseId}`;
    const job = await queues.job(queueName, jobIdFor(task.id, 0));
    await job!.remove();
    expect(await queues.job(queueName, jobIdFor(task.id, 0))).toBeUndefined();
    const back = await eventually(() => queues.job(queueName, jobIdFor(task.id, 0)), 'the job to come back');
    expect(back.data).toMatchObject({ task_id: task.id, attempt: 0, worker_id: 'rec-worker' });
  });

  it('brings every pending task back after Redis lost all queue data, with queue settings', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await api.post(`/v1/agent/codebases/${codebaseId}/tasks`, { prompt: `p${i}` }).expect(201)).body.id);
    const claimed = ids.pop()!;
    await worker.claim(claimed);
    await deleteKeysWithPrefix(api.config.queuePrefix);
    const queueName = `codebase-${codebaseId}`;
    await eventually(async () => (await Promise.all(ids.map((id) => queues.job(queueName, jobIdFor(id, 0))))).every(Boolean), 'all pending jobs back');
    expect(await queues.job(queueName, jobIdFor(claimed, 0))).toBeUndefined();
    expect(await queues.queue(queueName).getGlobalConcurrency()).toBe(1);
  });

  it('fails a registration task once every attempt found no worker with the path', async () => {
    const res = await api.post('/v1/agent/codebases', { name: 'ghost', path: '/nowhere/to/be/found' }).expect(202);
    const taskId = res.body.task_id as string;
    // Play the workers: none has the path, so every attempt fails.
    const connection = new Redis(api.config.redisUrl, { maxRetriesPerRequest: null });
    const consumer = new Worker(
      CODEBASE_REGISTRATION_QUEUE,
      async () => {
        throw new Error('path not found here');
      },
      { connection, prefix: api.config.queuePrefix },
    );
    try {
      const task = await eventually(async () => {
        const t = (await api.get(`/v1/agent/tasks/${taskId}`).expect(200)).body;
        return t.status === 'failed' ? t : null;
      }, 'the registration task to fail', 15_000);
      expect(task).toMatchObject({ failure_reason: 'invalid_codebase', error: 'no online worker has the path /nowhere/to/be/found' });
    } finally {
      await consumer.close();
      connection.disconnect();
    }
  });
});

describe('worker liveness', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ HEARTBEAT_INTERVAL_S: '1', WORKER_OFFLINE_AFTER_MISSED: '2' });
  });
  afterAll(() => api?.close());

  it('a worker that stops heartbeating goes stale, then offline, and its running task fails with worker_lost', async () => {
    const worker = new FakeWorker(api, 'silent-worker');
    expect((await worker.register()).heartbeat_interval_s).toBe(1);
    const cb = await worker.addCodebase('/srv/liveness');
    const task = (await api.post(`/v1/agent/codebases/${cb.id}/tasks`, { prompt: 'p' }).expect(201)).body;
    await worker.claim(task.id);
    expect((await api.get('/v1/agent/workers/silent-worker').expect(200)).body.status).toBe('active');

    await eventually(async () => (await api.get('/v1/agent/workers/silent-worker').expect(200)).body.status === 'stale', 'stale', 5000, 50);
    await eventually(async () => (await api.get('/v1/agent/workers/silent-worker').expect(200)).body.status === 'offline', 'offline', 6000);
    const lost = await eventually(async () => {
      const t = (await api.get(`/v1/agent/tasks/${task.id}`).expect(200)).body;
      return t.status === 'failed' ? t : null;
    }, 'worker_lost', 6000);
    expect(lost).toMatchObject({ failure_reason: 'worker_lost', error: expect.stringMatching(/heartbeats/) });
    expect((await api.get('/v1/monitor/workers').expect(200)).body.workers[0]).toMatchObject({ id: 'silent-worker', status: 'offline' });

    // A late callback of the lost run is fenced off; the worker learns to stop it via its heartbeat.
    await worker.report(task.id, 1, 'completed').expect(409);
    const hb = await worker.heartbeat([{ task_id: task.id, attempt: 1 }]);
    expect(hb.status).toBe('active');
    expect(hb.cancels).toContainEqual({ task_id: task.id, attempt: 1 });
  });

  it('a worker that keeps heartbeating stays active', async () => {
    const worker = new FakeWorker(api, 'chatty-worker');
    await worker.register();
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 500));
      await worker.heartbeat([]);
    }
    expect((await api.get('/v1/agent/workers/chatty-worker').expect(200)).body.status).toBe('active');
  });
});

describe('metrics after a task lifecycle', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api?.close());

  it('counts transitions, latency, duration, output bytes, workers and queue depth', async () => {
    const worker = new FakeWorker(api, 'metrics-worker');
    await worker.register();
    const cb = await worker.addCodebase('/srv/metrics');
    const waiting = (await api.post(`/v1/agent/codebases/${cb.id}/tasks`, { prompt: 'stays queued' }).expect(201)).body;
    const task = (await api.post(`/v1/agent/codebases/${cb.id}/tasks`, { prompt: 'p' }).expect(201)).body;
    const claim = await worker.claim(task.id);
    await worker.output(task.id, claim.attempt, 0, '12345').expect(200);
    await worker.report(task.id, claim.attempt, 'completed').expect(200);
    expect(waiting.status).toBe('pending');

    const text = (await api.anonymous().get('/metrics').expect(200)).text;
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1]);
    expect(value(/codefleet_tasks_total\{status="pending"\} (\d+)/)).toBe(2);
    expect(value(/codefleet_tasks_total\{status="running"\} (\d+)/)).toBe(1);
    expect(value(/codefleet_tasks_total\{status="completed"\} (\d+)/)).toBe(1);
    expect(value(/codefleet_dispatch_latency_seconds_count (\d+)/)).toBe(1);
    expect(value(/codefleet_task_duration_seconds_count\{status="completed"\} (\d+)/)).toBe(1);
    expect(value(/codefleet_output_bytes_total (\d+)/)).toBe(5);
    expect(value(/codefleet_workers\{status="active"\} (\d+)/)).toBe(1);
    expect(value(/codefleet_queue_depth\{queue_state="waiting"\} (\d+)/)).toBeGreaterThanOrEqual(1);
  });
});
