import { parseRegistrationJob, REGISTER_CODEBASE_AGENT_TYPE, scopedChannel, workerControlChannel } from '#contracts';
import { CODEBASE_REGISTRATION_QUEUE, jobIdFor } from '#domain';
import { eventually, startTestApi, type TestApi } from '../../support/api-harness';
import { FakeWorker } from '../../support/fake-worker';
import { QueueInspector } from '../../support/queue-inspector';

describe('codebases', () => {
  let api: TestApi;
  let queues: QueueInspector;
  let worker: FakeWorker;
  beforeAll(async () => {
    api = await startTestApi();
    queues = new QueueInspector(api);
    worker = new FakeWorker(api, 'cb-worker');
    await worker.register();
  });
  afterAll(async () => {
    await queues?.close();
    await api?.close();
  });

  it('registers a codebase on a worker as the seed shows it, and tells the worker', async () => {
    const control = await queues.listen(scopedChannel(api.config.queuePrefix, workerControlChannel('cb-worker')));
    try {
      const res = await api
        .post('/v1/opencode/codebases', { name: 'my-project', path: '/home/user/my-project', description: 'Main application', worker_id: 'cb-worker' })
        .expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^cb_[a-z2-7]{16}$/),
        name: 'my-project',
        path: '/home/user/my-project',
        description: 'Main application',
        worker_id: 'cb-worker',
        status: 'active',
        registered_at: expect.any(String),
      });
      await eventually(async () => control.messages.length > 0, 'codebases_changed message');
      expect(control.messages).toContainEqual({ type: 'codebases_changed' });
    } finally {
      control.close();
    }
  });

  it('normalizes the path and returns the same codebase when the same path is registered again', async () => {
    const a = (await api.post('/v1/agent/codebases', { name: 'n1', path: '/srv/app/./sub/../', worker_id: 'cb-worker' }).expect(201)).body;
    expect(a.path).toBe('/srv/app');
    const b = (await api.post('/v1/agent/codebases', { name: 'n2', path: '/srv/app', worker_id: 'cb-worker' }).expect(201)).body;
    expect(b).toMatchObject({ id: a.id, name: 'n2' });
  });

  it('refuses relative paths, unknown workers and unknown fields', async () => {
    const rel = await api.post('/v1/agent/codebases', { name: 'x', path: 'relative/dir', worker_id: 'cb-worker' }).expect(400);
    expect(rel.body.message).toMatch(/path must be absolute/);
    const unknown = await api.post('/v1/agent/codebases', { name: 'x', path: '/srv/x', worker_id: 'nobody' }).expect(404);
    expect(unknown.body.message).toBe('worker nobody not found');
    await api.post('/v1/agent/codebases', { name: 'x', path: '/srv/x', worker_id: 'cb-worker', owner: 'me' }).expect(400);
    await api.post('/v1/agent/codebases', { path: '/srv/x', worker_id: 'cb-worker' }).expect(400);
  });

  it('lists (optionally by worker) and gets codebases', async () => {
    const other = new FakeWorker(api, 'cb-other');
    await other.register();
    const mine = await other.addCodebase('/srv/other-only');
    const all = (await api.get('/v1/agent/codebases').expect(200)).body.codebases as { id: string }[];
    expect(all.map((c) => c.id)).toContain(mine.id);
    const filtered = (await api.get('/v1/agent/codebases?worker_id=cb-other').expect(200)).body.codebases as { id: string }[];
    expect(filtered.map((c) => c.id)).toEqual([mine.id]);
    expect((await api.get(`/v1/opencode/codebases/${mine.id}`).expect(200)).body.path).toBe('/srv/other-only');
    await api.get('/v1/agent/codebases/cb_nope').expect(404);
  });

  it('deletes a codebase: hidden, pending tasks cancelled, revived by registering again', async () => {
    const cb = await worker.addCodebase('/srv/to-delete');
    const pending = (await api.post(`/v1/agent/codebases/${cb.id}/tasks`, { title: 't', prompt: 'p' }).expect(201)).body;
    const del = await api.delete(`/v1/agent/codebases/${cb.id}`).expect(200);
    expect(del.body).toMatchObject({ id: cb.id, status: 'deleted' });
    await api.get(`/v1/agent/codebases/${cb.id}`).expect(404);
    expect((await api.get('/v1/agent/codebases').expect(200)).body.codebases.map((c: { id: string }) => c.id)).not.toContain(cb.id);
    expect((await api.get(`/v1/agent/tasks/${pending.id}`).expect(200)).body).toMatchObject({ status: 'cancelled', failure_reason: 'cancelled' });
    expect(await queues.job(`codebase-${cb.id}`, jobIdFor(pending.id, 0))).toBeUndefined();
    const conflict = await api.post(`/v1/agent/codebases/${cb.id}/tasks`, { title: 't', prompt: 'p' }).expect(409);
    expect(conflict.body.message).toMatch(/was deleted/);
    await api.delete(`/v1/agent/codebases/${cb.id}`).expect(404);

    const revived = await worker.addCodebase('/srv/to-delete');
    expect(revived.id).toBe(cb.id);
    expect((await api.get(`/v1/agent/codebases/${cb.id}`).expect(200)).body.status).toBe('active');
  });

  it('refuses to delete a codebase while a task runs in it', async () => {
    const cb = await worker.addCodebase('/srv/busy');
    const task = (await api.post(`/v1/agent/codebases/${cb.id}/tasks`, { title: 't', prompt: 'p' }).expect(201)).body;
    await worker.claim(task.id);
    const res = await api.delete(`/v1/agent/codebases/${cb.id}`).expect(409);
    expect(res.body.message).toMatch(/running task/);
  });

  describe('registration by path (no worker_id)', () => {
    it('creates a registration task the worker with the path completes', async () => {
      const res = await api.post('/v1/agent/codebases', { name: 'by-path', path: '/data/by-path/', description: 'd' }).expect(202);
      expect(res.body).toEqual({ status: 'pending', task_id: expect.stringMatching(/^task_/), message: expect.stringContaining('/data/by-path') });
      const taskId = res.body.task_id as string;
      const task = (await api.get(`/v1/agent/tasks/${taskId}`).expect(200)).body;
      expect(task).toMatchObject({ agent_type: REGISTER_CODEBASE_AGENT_TYPE, codebase_id: null, status: 'pending', worker_id: null });

      const job = await queues.job(CODEBASE_REGISTRATION_QUEUE, jobIdFor(taskId, 0));
      expect(job).toBeDefined();
      expect(parseRegistrationJob(job!.data)).toEqual({ task_id: taskId, attempt: 0, name: 'by-path', path: '/data/by-path', description: 'd', tried_worker_ids: [] });
      const online = (await api.get('/v1/agent/workers?status=active').expect(200)).body.workers.length;
      expect(job!.opts.attempts).toBe(3 * online);

      // The worker that has the path: claim, register with its own id, complete with the codebase id.
      const claim = await worker.claim(taskId, 0);
      const cb = (await api.post('/v1/agent/codebases', { name: 'by-path', path: '/data/by-path', description: 'd', worker_id: worker.id }).expect(201)).body;
      await worker.report(taskId, claim.attempt, 'completed', { result: cb.id }).expect(200);
      expect((await api.get(`/v1/agent/tasks/${taskId}`).expect(200)).body).toMatchObject({ status: 'completed', result: cb.id, worker_id: worker.id });
    });
  });
});

describe('codebases without any online worker', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api?.close());

  it('answers registration by path with 400 "No workers available"', async () => {
    const res = await api.post('/v1/agent/codebases', { name: 'my-project', path: '/home/user/my-project' }).expect(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'No workers available' });
    await new FakeWorker(api, 'gone').register();
    await api.post('/v1/agent/workers/gone/unregister').expect(200);
    expect((await api.post('/v1/agent/codebases', { name: 'p', path: '/p' }).expect(400)).body.message).toBe('No workers available');
  });
});
