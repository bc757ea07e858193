/**
 * Bull Board at /admin/queues (DESIGN 9): admin tokens only, by bearer header or by Basic auth
 * (what a browser can send), and its queue list follows the codebases and workers in the database.
 */
import { codebaseQueueName, workerQueueName } from '#domain';
import { QueueBoard } from '../../../apps/api/src/queue-board/queue-board.service';
import { ADMIN_TOKEN, startTestApi, type TestApi } from '../../support/api-harness';
import { FakeWorker } from '../../support/fake-worker';

const CLIENT_TOKEN = 'board-client-token-0123456789abcdef';
const W1_TOKEN = 'board-w1-token-0123456789abcdef';
const TOKENS = `admin:${ADMIN_TOKEN},ci@client:${CLIENT_TOKEN},box1@worker/w1:${W1_TOKEN}`;

const basic = (password: string, user = 'ops') => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

interface BoardQueue {
  name: string;
  counts: Record<string, number>;
}

describe('queue board', () => {
  let api: TestApi;
  beforeAll(async () => (api = await startTestApi({ A2A_AUTH_TOKENS: TOKENS })));
  afterAll(() => api?.close());

  const board = (path = '/admin/queues') => api.anonymous().get(path);
  const listQueues = async (): Promise<BoardQueue[]> =>
    (await board('/admin/queues/api/queues').set('Authorization', `Bearer ${ADMIN_TOKEN}`).expect(200)).body.queues;

  it('asks for credentials with a Basic challenge when none are sent', async () => {
    const res = await board().expect(401);
    expect(res.headers['www-authenticate']).toBe('Basic realm="codefleet"');
    expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.stringMatching(/admin token/) });
    const api401 = await board('/admin/queues/api/queues').expect(401);
    expect(api401.headers['www-authenticate']).toBe('Basic realm="codefleet"');
  });

  it('asks again for a wrong Basic password, and refuses an unknown bearer token', async () => {
    const wrong = await board().set('Authorization', basic('not-a-token')).expect(401);
    expect(wrong.headers['www-authenticate']).toBe('Basic realm="codefleet"');
    await board().set('Authorization', 'Bearer not-a-token').expect(403);
  });

  it('refuses client and worker tokens with 403 naming the scope needed', async () => {
    const asClient = await board().set('Authorization', `Bearer ${CLIENT_TOKEN}`).expect(403);
    expect(asClient.body).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: expect.stringMatching(/scope admin.*scope client/),
      details: { required_scopes: ['admin'], token_scope: 'client' },
    });
    await board().set('Authorization', basic(CLIENT_TOKEN)).expect(403);
    await board('/admin/queues/api/queues').set('Authorization', `Bearer ${W1_TOKEN}`).expect(403);
  });

  it('serves the board page to an admin by Basic auth and by bearer token', async () => {
    for (const authorization of [basic(ADMIN_TOKEN), `Bearer ${ADMIN_TOKEN}`]) {
      const res = await board().set('Authorization', authorization).expect(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toContain('Codefleet queues');
    }
    // The page's own assets are served under the same path, behind the same check.
    const page = await board().set('Authorization', basic(ADMIN_TOKEN)).expect(200);
    expect(page.text).toContain('<base href="/admin/queues/"');
    const script = /src="(static\/js\/main\.[^"]+\.js)"/.exec(page.text)?.[1];
    expect(script).toBeDefined();
    await board(`/admin/queues/${script}`).set('Authorization', basic(ADMIN_TOKEN)).expect(200).expect('content-type', /javascript/);
    await board('/admin/queues/static/favicon-32x32.png').set('Authorization', basic(ADMIN_TOKEN)).expect(200).expect('content-type', /image\/png/);
    await board('/admin/queues/static/favicon-32x32.png').expect(401);
  });

  it('lists a codebase queue once the codebase exists, with its waiting job count, and drops it when the codebase is deleted', async () => {
    expect((await listQueues()).map((q) => q.name)).toEqual(expect.arrayContaining(['codebase-registration', 'email-outbound']));

    const worker = new FakeWorker(api, 'board-worker');
    await worker.register();
    const codebase = await worker.addCodebase('/srv/board-project');
    await api.post(`/v1/agent/codebases/${codebase.id}/tasks`, { title: 'one', prompt: 'first' }).expect(201);
    await api.post(`/v1/agent/codebases/${codebase.id}/tasks`, { title: 'two', prompt: 'second' }).expect(201);

    const queues = await listQueues();
    expect(queues.map((q) => q.name)).toEqual(expect.arrayContaining([codebaseQueueName(codebase.id), workerQueueName('board-worker')]));
    const queue = queues.find((q) => q.name === codebaseQueueName(codebase.id))!;
    // Task jobs carry a priority, so BullMQ keeps them in its prioritized set until a worker takes them.
    expect((queue.counts.waiting ?? 0) + (queue.counts.prioritized ?? 0)).toBe(2);

    // The board's job view of that queue shows the two tasks.
    const detail = await board(`/admin/queues/api/queues?activeQueue=${encodeURIComponent(queue.name)}&status=prioritized&page=1&jobsPerPage=10`)
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .expect(200);
    const shown = detail.body.queues.find((q: { name: string }) => q.name === queue.name);
    expect(shown.jobs.map((j: { data: { title: string } }) => j.data.title).sort()).toEqual(['one', 'two']);

    await api.delete(`/v1/agent/codebases/${codebase.id}`).expect((res) => expect(res.status).toBeLessThan(300));
    expect((await listQueues()).map((q) => q.name)).not.toContain(codebaseQueueName(codebase.id));
    expect(api.app.get(QueueBoard).names()).not.toContain(codebaseQueueName(codebase.id));
  });
});

describe('queue board switched off or open', () => {
  it('is not served with QUEUE_BOARD_ENABLED=false', async () => {
    const api = await startTestApi({ QUEUE_BOARD_ENABLED: 'false' });
    try {
      const res = await api.get('/admin/queues').expect(404);
      expect(res.body).toMatchObject({ statusCode: 404 });
    } finally {
      await api.close();
    }
  });

  it('counts board requests against RATE_LIMIT_PER_MINUTE per client, failed logins included', async () => {
    const api = await startTestApi({ RATE_LIMIT_PER_MINUTE: '2' });
    try {
      await api.anonymous().get('/admin/queues').set('Authorization', basic('guess-1')).expect(401);
      await api.get('/admin/queues').expect(200);
      const limited = await api.get('/admin/queues').expect(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(limited.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    } finally {
      await api.close();
    }
  });

  it('is open without credentials when AUTH_DISABLED=true, like the rest of the API', async () => {
    const api = await startTestApi({ A2A_AUTH_TOKENS: '', AUTH_DISABLED: 'true' });
    try {
      await api.anonymous().get('/admin/queues').expect(200);
      await api.anonymous().get('/admin/queues/api/queues').expect(200);
    } finally {
      await api.close();
    }
  });
});
