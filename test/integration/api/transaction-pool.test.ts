import { startTestApi, type TestApi } from '../../support/api-harness';
import { FakeWorker } from '../../support/fake-worker';

/**
 * A request holds at most one pooled connection, also inside a transaction: every repository
 * call made while a transaction is open runs on it. With a pool of one connection, any call that
 * escaped the transaction would wait for a second connection until the pool's timeout (500).
 */
describe('transactions and the connection pool', () => {
  describe('with a pool of one connection', () => {
    let api: TestApi;
    let worker: FakeWorker;
    beforeAll(async () => {
      api = await startTestApi({ DATABASE_POOL_MAX: '1' });
      worker = new FakeWorker(api, 'pool-one');
      await worker.register();
    });
    afterAll(() => api?.close());

    it('creates tasks, syncs sessions and deletes codebases (each a transaction) without waiting for a second connection', async () => {
      const { id } = await worker.addCodebase('/srv/pool-one');
      await api.post(`/v1/agent/codebases/${id}/tasks`, { prompt: 'one' }).expect(201);
      await api.post('/v1/agent/tasks', { codebase_id: id, prompt: 'two' }).expect(201);
      await api.post(`/v1/agent/tasks`, { worker_id: worker.id, prompt: 'worker-global' }).expect(201);
      await api
        .post(`/v1/agent/codebases/${id}/sessions/sync`, { worker_id: worker.id, sessions: [{ id: 'ses_pool', title: 'pool', messages: [{ id: 'm1', role: 'user', text: 'hi' }] }] })
        .expect(200);
      await api.delete(`/v1/agent/codebases/${id}`).expect(200);
    }, 60_000);
  });

  describe('at four times the pool size', () => {
    let api: TestApi;
    let codebaseId: string;
    const pool = 5;
    beforeAll(async () => {
      api = await startTestApi({ DATABASE_POOL_MAX: String(pool) });
      const worker = new FakeWorker(api, 'pool-many');
      await worker.register();
      codebaseId = (await worker.addCodebase('/srv/pool-many')).id;
    });
    afterAll(() => api?.close());

    it('answers every concurrent create with 201 while readiness stays up', async () => {
      let ready = true;
      const probing = (async () => {
        for (let i = 0; i < 5; i++) {
          const res = await api.anonymous().get('/health/ready');
          if (res.status !== 200) ready = false;
        }
      })();
      const statuses = await Promise.all(
        Array.from({ length: pool * 4 }, (_, i) => api.post(`/v1/agent/codebases/${codebaseId}/tasks`, { prompt: `task ${i}` }).then((r) => r.status)),
      );
      await probing;
      expect(statuses.filter((s) => s !== 201)).toEqual([]);
      expect(ready).toBe(true);
      const listed = await api.get(`/v1/agent/tasks?codebase_id=${codebaseId}&limit=500`).expect(200);
      expect(listed.body.tasks).toHaveLength(pool * 4);
    }, 60_000);
  });
});
