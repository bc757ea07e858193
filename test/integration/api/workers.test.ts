import { DataSource } from 'typeorm';
import { startTestApi, type TestApi } from '../../support/api-harness';
import { FakeWorker } from '../../support/fake-worker';

describe('workers', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ HEARTBEAT_INTERVAL_S: '7', SESSION_SYNC_INTERVAL_S: '45', SHARE_REDIS_URL: 'true' });
  });
  afterAll(() => api?.close());

  it('registers a worker as the seed documents show it and answers with the server-set intervals', async () => {
    const res = await api
      .post('/v1/opencode/workers/register', { worker_id: 'abc123', name: 'dev-vm-worker', capabilities: ['opencode', 'build', 'deploy'], hostname: 'dev-vm.internal' })
      .expect(200);
    expect(res.body).toEqual({
      worker: expect.objectContaining({
        id: 'abc123',
        name: 'dev-vm-worker',
        hostname: 'dev-vm.internal',
        capabilities: ['opencode', 'build', 'deploy'],
        agents: [],
        status: 'active',
        max_concurrent: 1,
        tasks_completed: 0,
        tasks_failed: 0,
        codebases: 0,
      }),
      heartbeat_interval_s: 7,
      session_sync_interval_s: 45,
      redis_url: api.config.redisUrl,
      queue_prefix: api.config.queuePrefix,
    });
    expect(Date.parse(res.body.worker.last_heartbeat)).not.toBeNaN();
  });

  it('is idempotent by worker_id and keeps registered_at', async () => {
    const first = (await api.post('/v1/agent/workers/register', { worker_id: 'w-idem', name: 'one' }).expect(200)).body;
    const second = (await api.post('/v1/agent/workers/register', { worker_id: 'w-idem', name: 'two', agents: [{ name: 'claude', version: '2.1' }] }).expect(200)).body;
    expect(second.worker).toMatchObject({ id: 'w-idem', name: 'two', registered_at: first.worker.registered_at, agents: [{ name: 'claude', version: '2.1', bin: null }] });
    const all = (await api.get('/v1/agent/workers').expect(200)).body.workers as { id: string }[];
    expect(all.filter((w) => w.id === 'w-idem')).toHaveLength(1);
  });

  it('lists, filters by status and gets one worker', async () => {
    await new FakeWorker(api, 'w-list').register();
    const active = (await api.get('/v1/agent/workers?status=active').expect(200)).body.workers as { id: string; status: string }[];
    expect(active.map((w) => w.id)).toContain('w-list');
    expect(active.every((w) => w.status === 'active')).toBe(true);
    expect((await api.get('/v1/agent/workers?status=offline').expect(200)).body.workers.map((w: { id: string }) => w.id)).not.toContain('w-list');
    expect((await api.get('/v1/opencode/workers/w-list').expect(200)).body).toMatchObject({ id: 'w-list', status: 'active' });
    await api.get('/v1/agent/workers/nope').expect(404);
    const bad = await api.get('/v1/agent/workers?status=sleeping').expect(400);
    expect(bad.body.message).toMatch(/status must be one of/);
  });

  it('heartbeat answers 404 for an unknown worker so it registers again', async () => {
    const res = await api.post('/v1/agent/workers/ghost/heartbeat', {}).expect(404);
    expect(res.body.message).toMatch(/register it again/);
  });

  it('heartbeat returns status, the worker codebases and the interval', async () => {
    const w = new FakeWorker(api, 'w-hb');
    await w.register();
    const cb = await w.addCodebase('/srv/hb-project');
    const hb = await w.heartbeat([]);
    expect(hb).toEqual({ status: 'active', cancels: [], codebases: [{ id: cb.id, name: 'proj', path: '/srv/hb-project' }], heartbeat_interval_s: 7 });
    expect((await api.get('/v1/agent/workers/w-hb').expect(200)).body).toMatchObject({ resources: { cpu_percent: 5 }, codebases: 1 });
  });

  it('heartbeat tells the worker to stop runs that are no longer its own', async () => {
    const w = new FakeWorker(api, 'w-stale-run');
    await w.register();
    const cb = await w.addCodebase('/srv/stale-run');
    const task = (await api.post(`/v1/agent/codebases/${cb.id}/tasks`, { title: 't', prompt: 'p' }).expect(201)).body;
    const claim = await w.claim(task.id);
    await w.report(task.id, claim.attempt, 'completed', { result: 'ok' }).expect(200);
    const hb = await w.heartbeat([{ task_id: task.id, attempt: claim.attempt }, { task_id: 'task_unknown', attempt: 1 }]);
    expect(hb.cancels).toEqual(expect.arrayContaining([{ task_id: task.id, attempt: claim.attempt }, { task_id: 'task_unknown', attempt: 1 }]));
  });

  it('unregister marks the worker offline and fails its running tasks with worker_lost', async () => {
    const w = new FakeWorker(api, 'w-bye');
    await w.register();
    const cb = await w.addCodebase('/srv/bye');
    const task = (await api.post(`/v1/agent/codebases/${cb.id}/tasks`, { title: 't', prompt: 'p' }).expect(201)).body;
    await w.claim(task.id);
    const res = await api.post('/v1/agent/workers/w-bye/unregister').expect(200);
    expect(res.body).toMatchObject({ id: 'w-bye', status: 'offline', tasks_failed: 1 });
    expect((await api.get(`/v1/agent/tasks/${task.id}`).expect(200)).body).toMatchObject({ status: 'failed', failure_reason: 'worker_lost' });
    await api.post('/v1/agent/workers/nope/unregister').expect(404);
  });

  it('a re-register (restart) fails the tasks the worker was running', async () => {
    const w = new FakeWorker(api, 'w-restart');
    await w.register();
    const cb = await w.addCodebase('/srv/restart');
    const task = (await api.post(`/v1/agent/codebases/${cb.id}/tasks`, { title: 't', prompt: 'p' }).expect(201)).body;
    await w.claim(task.id);
    await w.register();
    expect((await api.get(`/v1/agent/tasks/${task.id}`).expect(200)).body).toMatchObject({ status: 'failed', failure_reason: 'worker_lost' });
  });

  it('a heartbeat that no longer lists a task claimed over an interval ago fails it', async () => {
    const w = new FakeWorker(api, 'w-forgot');
    await w.register();
    const cb = await w.addCodebase('/srv/forgot');
    const recent = (await api.post(`/v1/agent/codebases/${cb.id}/tasks`, { title: 'recent', prompt: 'p' }).expect(201)).body;
    const old = (await api.post(`/v1/agent/codebases/${cb.id}/tasks`, { title: 'old', prompt: 'p' }).expect(201)).body;
    await w.claim(recent.id);
    await w.claim(old.id);
    // Pretend the old claim happened two intervals ago.
    await api.app.get(DataSource).query(`UPDATE tasks SET started_at = now() - interval '20 seconds' WHERE id = $1`, [old.id]);
    await w.heartbeat([]);
    expect((await api.get(`/v1/agent/tasks/${old.id}`).expect(200)).body).toMatchObject({ status: 'failed', failure_reason: 'worker_lost' });
    expect((await api.get(`/v1/agent/tasks/${recent.id}`).expect(200)).body).toMatchObject({ status: 'running' });
  });

  it('/v1/monitor/workers has exactly the documented shape', async () => {
    const w = new FakeWorker(api, 'w-monitor');
    await w.register();
    await w.addCodebase('/srv/m1');
    await w.addCodebase('/srv/m2');
    const res = await api.get('/v1/monitor/workers').expect(200);
    expect(Object.keys(res.body)).toEqual(['workers']);
    const line = res.body.workers.find((x: { id: string }) => x.id === 'w-monitor');
    expect(line).toEqual({ id: 'w-monitor', name: 'w-monitor-name', status: 'active', last_heartbeat: expect.any(String), codebases: 2, tasks_completed: 0 });
  });
});
