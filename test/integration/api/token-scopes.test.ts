import { Logger } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { ROUTE_POLICY } from '../../../apps/api/src/auth/route-policy';
import { routeKey } from '../../../apps/api/src/auth/route-key';
import { PUBLIC_ROUTE } from '../../../apps/api/src/auth/public.decorator';
import { ADMIN_TOKEN, startTestApi, type TestApi, withToken } from '../../support/api-harness';
import { FakeWorker } from '../../support/fake-worker';

/** Token scopes (DESIGN 10): what client and worker-bound tokens may and may not do. */
const CLIENT_TOKEN = 'scopes-client-token-0123456789abcdef';
const W1_TOKEN = 'scopes-w1-token-0123456789abcdef';
const W2_TOKEN = 'scopes-w2-token-0123456789abcdef';
const TOKENS = `admin:${ADMIN_TOKEN},ci@client:${CLIENT_TOKEN},box1@worker/w1:${W1_TOKEN},box2@worker/w2:${W2_TOKEN}`;

describe('token scopes', () => {
  let api: TestApi;
  let client: TestApi;
  let asW1: TestApi;
  let w1: FakeWorker;
  let w2: FakeWorker;
  let w1Codebase: string;
  let w2Codebase: string;

  beforeAll(async () => {
    api = await startTestApi({ A2A_AUTH_TOKENS: TOKENS });
    client = withToken(api, CLIENT_TOKEN);
    asW1 = withToken(api, W1_TOKEN);
    w1 = new FakeWorker(asW1, 'w1');
    w2 = new FakeWorker(withToken(api, W2_TOKEN), 'w2');
    await w1.register();
    await w2.register();
    w1Codebase = (await w1.addCodebase('/srv/scopes-w1')).id;
    w2Codebase = (await w2.addCodebase('/srv/scopes-w2')).id;
  });
  afterAll(() => api?.close());

  const newTask = async (codebaseId: string) =>
    (await client.post(`/v1/agent/codebases/${codebaseId}/tasks`, { title: 't', prompt: 'p' }).expect(201)).body as { id: string };

  describe('a client token', () => {
    it('creates tasks, reads them, their output, workers, codebases and sessions', async () => {
      const task = (await client.post('/v1/agent/tasks', { codebase_id: w1Codebase, title: 'from ci', prompt: 'p' }).expect(201)).body;
      expect((await client.get(`/v1/agent/tasks/${task.id}`).expect(200)).body).toMatchObject({ id: task.id, status: 'pending' });
      await client.get(`/v1/agent/tasks/${task.id}/output`).expect(200);
      await client.get('/v1/agent/tasks?status=pending').expect(200);
      await client.get('/v1/agent/workers').expect(200);
      await client.get('/v1/agent/workers/w2').expect(200);
      await client.get(`/v1/agent/codebases/${w2Codebase}`).expect(200);
      await client.get(`/v1/agent/codebases/${w1Codebase}/sessions`).expect(200);
      await client.get('/v1/monitor/workers').expect(200);
      await client.post(`/v1/agent/tasks/${task.id}/cancel`).expect(200);
    });

    it('gets 403 naming the scope needed on every worker callback', async () => {
      const task = await newTask(w1Codebase);
      const refused = [
        client.post('/v1/agent/workers/register', { worker_id: 'ci-box', name: 'x', hostname: 'x', max_concurrent: 1 }),
        client.post('/v1/agent/workers/w1/heartbeat', { running_tasks: [] }),
        client.post('/v1/agent/workers/w1/unregister'),
        client.put(`/v1/agent/tasks/${task.id}/status`, { worker_id: 'w1', attempt: 0, status: 'running' }),
        client.post(`/v1/agent/tasks/${task.id}/output`, { worker_id: 'w1', attempt: 1, offset: 0, data: 'forged' }),
        client.post(`/v1/agent/codebases/${w1Codebase}/sessions/sync`, { worker_id: 'w1', sessions: [] }),
        client.post('/v1/opencode/workers/register', { worker_id: 'ci-box' }), // the legacy prefix shares the rule
      ];
      for (const res of await Promise.all(refused)) {
        expect(res.status).toBe(403);
        expect(res.body).toMatchObject({ statusCode: 403, message: expect.stringMatching(/needs a token with scope admin or worker; this token has scope client/) });
        expect(res.body.details).toMatchObject({ required_scopes: ['admin', 'worker'], token_scope: 'client' });
      }
      // Nothing moved: the task is still pending and w1 still active.
      expect((await api.get(`/v1/agent/tasks/${task.id}`).expect(200)).body).toMatchObject({ status: 'pending', attempt: 0 });
      expect((await api.get('/v1/agent/workers/w1').expect(200)).body.status).toBe('active');
    });
  });

  describe('a worker token bound to w1', () => {
    it('registers, heartbeats, claims, streams output and finishes a task of its codebase', async () => {
      await w1.register();
      await w1.heartbeat();
      const task = await newTask(w1Codebase);
      const claim = await w1.claim(task.id);
      await w1.output(task.id, claim.attempt, 0, 'hello from w1\n').expect(200);
      await w1.report(task.id, claim.attempt, 'completed', { result: 'done' }).expect(200);
      expect((await client.get(`/v1/agent/tasks/${task.id}`).expect(200)).body).toMatchObject({ status: 'completed', worker_id: 'w1', result: 'done' });
    });

    it('reads what the worker daemon reads: its tasks, its codebases, its pending poll, the active workers', async () => {
      const task = await newTask(w1Codebase);
      await asW1.get(`/v1/agent/tasks/${task.id}`).expect(200);
      await asW1.get(`/v1/agent/codebases/${w1Codebase}`).expect(200);
      const poll = await asW1.get('/v1/agent/tasks?status=pending&worker_id=w1').expect(200);
      expect(poll.body.tasks.map((t: { id: string }) => t.id)).toContain(task.id);
      await asW1.get('/v1/agent/workers?status=active').expect(200);
      await asW1.get('/v1/agent/workers/w1').expect(200);
    });

    it("syncs its own codebase's sessions", async () => {
      const res = await asW1.post(`/v1/agent/codebases/${w1Codebase}/sessions/sync`, { worker_id: 'w1', sessions: [{ id: 'sess_w1' }] }).expect(200);
      expect(res.body).toMatchObject({ codebase_id: w1Codebase, synced: 1 });
    });

    it('cannot act as another worker', async () => {
      const w2Task = await newTask(w2Codebase);
      const asOther = [
        asW1.post('/v1/agent/workers/register', { worker_id: 'w2', name: 'x', hostname: 'x', max_concurrent: 1 }),
        asW1.post('/v1/agent/workers/w2/heartbeat', { running_tasks: [] }),
        asW1.post('/v1/agent/workers/w2/unregister'),
        asW1.put(`/v1/agent/tasks/${w2Task.id}/status`, { worker_id: 'w2', attempt: 0, status: 'running' }),
        asW1.post(`/v1/agent/tasks/${w2Task.id}/output`, { worker_id: 'w2', attempt: 1, offset: 0, data: 'x' }),
        asW1.post(`/v1/agent/codebases/${w2Codebase}/sessions/sync`, { worker_id: 'w2', sessions: [] }),
        asW1.post('/v1/agent/codebases', { name: 'grab', path: '/srv/grab', worker_id: 'w2' }),
        asW1.get('/v1/agent/tasks?status=pending&worker_id=w2'),
        asW1.get('/v1/agent/tasks'),
        asW1.get(`/v1/agent/tasks/${w2Task.id}`),
        asW1.get(`/v1/agent/codebases/${w2Codebase}`),
        asW1.get('/v1/agent/workers/w2'),
      ];
      for (const res of await Promise.all(asOther)) {
        expect(res.status).toBe(403);
        expect(res.body.message).toMatch(/^This token is bound to worker "w1": /);
        expect(res.body.details).toMatchObject({ token_scope: 'worker', token_worker_id: 'w1' });
      }
      const heartbeat = await asW1.post('/v1/agent/workers/w2/heartbeat', { running_tasks: [] }).expect(403);
      expect(heartbeat.body.message).toBe('This token is bound to worker "w1": it may only act on worker "w1", not "w2"');
      const status = await asW1.put(`/v1/agent/tasks/${w2Task.id}/status`, { worker_id: 'w2', attempt: 0, status: 'running' }).expect(403);
      expect(status.body.message).toBe('This token is bound to worker "w1": the body\'s worker_id must be "w1" (got "w2")');
      expect((await api.get(`/v1/agent/tasks/${w2Task.id}`).expect(200)).body).toMatchObject({ status: 'pending', attempt: 0 });
      expect((await api.get('/v1/agent/workers/w2').expect(200)).body.status).toBe('active');
    });

    it("claiming another worker's task with its own id is stopped by the fencing", async () => {
      const w2Task = await newTask(w2Codebase);
      await asW1.put(`/v1/agent/tasks/${w2Task.id}/status`, { worker_id: 'w1', attempt: 0, status: 'running' }).expect(409);
    });

    it('cannot create, cancel or requeue tasks, nor edit or delete codebases, nor read client-only lists', async () => {
      const task = await newTask(w1Codebase);
      const clientOnly = [
        asW1.post('/v1/agent/tasks', { codebase_id: w1Codebase, title: 't', prompt: 'p' }),
        asW1.post(`/v1/agent/codebases/${w1Codebase}/tasks`, { title: 't', prompt: 'p' }),
        asW1.post(`/v1/agent/tasks/${task.id}/cancel`),
        asW1.post(`/v1/agent/tasks/${task.id}/requeue`),
        asW1.delete(`/v1/agent/codebases/${w1Codebase}`),
        asW1.get('/v1/agent/codebases'),
        asW1.get(`/v1/agent/codebases/${w1Codebase}/sessions`),
        asW1.post(`/v1/agent/codebases/${w1Codebase}/sessions/sess_w1/resume`, { prompt: 'go on' }),
        asW1.get('/v1/monitor/workers'),
      ];
      for (const res of await Promise.all(clientOnly)) {
        expect(res.status).toBe(403);
        expect(res.body.message).toMatch(/needs a token with scope admin( or client)?; this token has scope worker/);
      }
      // Registering by path (no worker_id: any machine may take it) is for clients too.
      const byPath = await asW1.post('/v1/agent/codebases', { name: 'by-path', path: '/srv/anywhere' }).expect(403);
      expect(byPath.body.message).toMatch(/worker_id must be "w1" \(got none\)/);
      expect((await api.get(`/v1/agent/tasks/${task.id}`).expect(200)).body.status).toBe('pending');
      expect((await api.get(`/v1/agent/codebases/${w1Codebase}`).expect(200)).body.status).not.toBe('deleted');
    });
  });

  describe('an admin token', () => {
    it('does everything, including worker callbacks for any worker (name:token without a scope is admin)', async () => {
      const admin = new FakeWorker(api, 'w2');
      const task = await newTask(w2Codebase);
      await admin.heartbeat();
      const claim = await admin.claim(task.id);
      await admin.output(task.id, claim.attempt, 0, 'x').expect(200);
      await admin.report(task.id, claim.attempt, 'completed', { result: 'ok' }).expect(200);
      await api.post(`/v1/agent/codebases/${w2Codebase}/sessions/sync`, { worker_id: 'w2', sessions: [] }).expect(200);
      await api.post(`/v1/agent/codebases/${w1Codebase}/tasks`, { title: 't', prompt: 'p' }).expect(201);
    });
  });

  it('a refusal is logged with the token name, scope and route, never the token', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      await client.post('/v1/agent/workers/w1/heartbeat', { running_tasks: [] }).expect(403);
      const line = warn.mock.calls.map(([entry]) => entry).find((entry) => (entry as { msg?: string })?.msg === 'request refused by token scope');
      expect(line).toMatchObject({ token_name: 'ci', scope: 'client', route: 'POST /v1/agent/workers/:id/heartbeat' });
      expect(JSON.stringify(warn.mock.calls)).not.toContain(CLIENT_TOKEN);
    } finally {
      warn.mockRestore();
    }
  });

  it('tokens still authenticate first: no token 401, an unknown token 403', async () => {
    await api.anonymous().get('/v1/agent/tasks').expect(401);
    await api.anonymous().get('/v1/agent/tasks').set('Authorization', 'Bearer not-a-configured-token').expect(403);
    await api.anonymous().get('/health/live').expect(200);
  });

  it('the policy table names every non-public route and nothing else', () => {
    const routes = new Set<string>();
    for (const mod of api.app.get(ModulesContainer).values()) {
      for (const wrapper of mod.controllers.values()) {
        const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
        if (!controller) continue;
        for (const method of Object.getOwnPropertyNames(controller.prototype)) {
          const handler = controller.prototype[method as keyof object] as object;
          const key = typeof handler === 'function' ? routeKey(controller, handler) : null;
          if (!key) continue;
          // Always-public routes never meet the policy; @PublicWhen ones (metrics) do when the switch is off.
          if ([handler, controller].some((t) => Reflect.getMetadata(PUBLIC_ROUTE, t) === true)) continue;
          routes.add(key);
        }
      }
    }
    expect(routes.size).toBeGreaterThan(25);
    expect([...routes].filter((r) => !(r in ROUTE_POLICY))).toEqual([]);
    expect(Object.keys(ROUTE_POLICY).filter((r) => !routes.has(r))).toEqual([]);
  });
});
