import { DataSource } from 'typeorm';
import { createApiApp } from '../../../apps/api/src/bootstrap';
import { MIGRATIONS } from '../../../apps/api/src/database/data-source-options';
import { ADMIN_TOKEN, eventually, startTestApi, type TestApi } from '../../support/api-harness';
import { FakeWorker } from '../../support/fake-worker';
import { openSse } from '../../support/sse-client';

/** Two API replicas on one database and one Redis namespace. */
describe('several API replicas', () => {
  let a: TestApi;
  let b: TestApi;
  beforeAll(async () => {
    a = await startTestApi({ HEARTBEAT_INTERVAL_S: '1', WORKER_OFFLINE_AFTER_MISSED: '2', RECONCILE_INTERVAL_MS: '200' });
    b = await startTestApi(
      { HEARTBEAT_INTERVAL_S: '1', WORKER_OFFLINE_AFTER_MISSED: '2', RECONCILE_INTERVAL_MS: '200' },
      { db: a.db, queuePrefix: a.config.queuePrefix },
    );
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('start together without migrating twice', async () => {
    // Both replicas ran migrations at boot under the advisory lock; a third start finds nothing to do.
    const rows = await a.app.get(DataSource).query(`SELECT name FROM schema_migrations`);
    expect(rows).toHaveLength(MIGRATIONS.length);
    const third = await createApiApp({ ...a.config }, {});
    await third.close();
    expect(await a.app.get(DataSource).query(`SELECT name FROM schema_migrations`)).toHaveLength(MIGRATIONS.length);
  });

  it('a follower on one replica sees output and the end reported to the other', async () => {
    const worker = new FakeWorker(a, 'stream-worker');
    await worker.register();
    const cb = await worker.addCodebase('/srv/replica-stream');
    const task = (await a.post(`/v1/agent/codebases/${cb.id}/tasks`, { prompt: 'p' }).expect(201)).body;
    const claim = await worker.claim(task.id);
    const stream = await openSse(`${b.baseUrl}/v1/agent/tasks/${task.id}/output/stream`, { Authorization: `Bearer ${ADMIN_TOKEN}` });
    await worker.output(task.id, claim.attempt, 0, 'from replica a\n').expect(200);
    await stream.waitFor((ev) => ev.some((e) => e.event === 'output'));
    await worker.report(task.id, claim.attempt, 'completed', { result: 'ok' }).expect(200);
    await stream.ended;
    expect(stream.events.map((e) => e.event)).toEqual(['output', 'done']);
    // The worker keeps heartbeating in this test so the sweepers leave it alone.
    await worker.heartbeat([]);
  });

  it('a lost task is failed once even though every replica sweeps', async () => {
    const worker = new FakeWorker(a, 'replica-worker');
    await worker.register();
    const cb = await worker.addCodebase('/srv/replicas');
    const task = (await b.post(`/v1/agent/codebases/${cb.id}/tasks`, { prompt: 'p' }).expect(201)).body;
    await worker.claim(task.id);
    // Sweepers on both replicas race for the silent worker; the failure is counted once.
    const lost = await eventually(async () => {
      const t = (await b.get(`/v1/agent/tasks/${task.id}`).expect(200)).body;
      return t.status === 'failed' ? t : null;
    }, 'worker_lost', 8000);
    expect(lost.failure_reason).toBe('worker_lost');
    await new Promise((r) => setTimeout(r, 1500)); // a few more sweeps on both replicas
    expect((await a.get('/v1/agent/workers/replica-worker').expect(200)).body.tasks_failed).toBe(1);
  });
});
