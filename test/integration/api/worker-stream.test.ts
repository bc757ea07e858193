import http from 'node:http';
import request from 'supertest';
import { ChannelSubscriber } from '../../../apps/api/src/queue/channel-subscriber';
import { workerTasksChannel } from '../../../apps/api/src/worker-stream/task-available';
import { WorkerTaskStreamService } from '../../../apps/api/src/worker-stream/worker-task-stream.service';
import { ADMIN_TOKEN, eventually, startTestApi, type TestApi } from '../../support/api-harness';
import { FakeWorker } from '../../support/fake-worker';
import { hangUpEarly } from '../../support/hang-up-early';
import { openSse, type SseEvent, type SseStream } from '../../support/sse-client';

/** GET /v1/worker/tasks/stream: task_available events for a worker on the HTTP fallback (DESIGN 5). */
const CLIENT_TOKEN = 'stream-client-token-0123456789abcdef';
const SW1_TOKEN = 'stream-sw1-token-0123456789abcdef';
const TOKENS = `admin:${ADMIN_TOKEN},ci@client:${CLIENT_TOKEN},box1@worker/sw1:${SW1_TOKEN}`;
const STREAM = '/v1/worker/tasks/stream';

const announced = (events: SseEvent[]) => events.filter((e) => e.event === 'task_available').map((e) => JSON.parse(e.data) as Record<string, unknown>);
const announcedIds = (events: SseEvent[]) => announced(events).map((t) => t.task_id);

describe('worker task stream', () => {
  let api: TestApi;
  let replica: TestApi;
  let sw1: FakeWorker;
  let sw2: FakeWorker;
  let cbA: string;
  let cbB: string;
  let otherCb: string;
  const open: SseStream[] = [];

  const stream = async (headers: Record<string, string>, on: TestApi = api) => {
    const s = await openSse(`${on.baseUrl}${STREAM}`, { Authorization: `Bearer ${ADMIN_TOKEN}`, ...headers });
    open.push(s);
    return s;
  };
  const createTask = async (codebaseId: string, title: string, on: TestApi = api, priority = 0) =>
    ((await on.post(`/v1/agent/codebases/${codebaseId}/tasks`, { title, prompt: `do ${title}`, priority }).expect(201)).body as { id: string }).id;

  beforeAll(async () => {
    api = await startTestApi({ A2A_AUTH_TOKENS: TOKENS, SSE_KEEPALIVE_S: '1' });
    replica = await startTestApi({ A2A_AUTH_TOKENS: TOKENS }, { db: api.db, queuePrefix: api.config.queuePrefix });
    sw1 = new FakeWorker(api, 'sw1');
    sw2 = new FakeWorker(api, 'sw2');
    await sw1.register();
    await sw2.register();
    cbA = (await sw1.addCodebase('/srv/stream-a', 'a')).id;
    cbB = (await sw1.addCodebase('/srv/stream-b', 'b')).id;
    otherCb = (await sw2.addCodebase('/srv/stream-other', 'other')).id;
  });
  afterEach(() => open.splice(0).forEach((s) => s.close()));
  afterAll(async () => {
    await replica?.close();
    await api?.close();
  });

  it('announces the tasks already pending first, then each new one, never another worker\'s', async () => {
    const waitingLow = await createTask(cbA, 'waiting-low');
    const waitingHigh = await createTask(cbB, 'waiting-high', api, 5);
    await createTask(otherCb, 'not-mine');
    const s = await stream({ worker_id: 'sw1', 'X-Capabilities': 'opencode,build' });
    expect(s.status).toBe(200);
    expect(s.headers['content-type']).toMatch(/^text\/event-stream/);
    await s.waitFor((events) => announced(events).length >= 2);
    // Highest priority first, as the worker should take them.
    expect(announcedIds(s.events)).toEqual([waitingHigh, waitingLow]);
    expect(announced(s.events)[0]).toEqual({
      task_id: waitingHigh,
      codebase_id: cbB,
      agent_type: 'build',
      tool: null,
      priority: 5,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });

    const fresh = await createTask(cbA, 'fresh');
    const elsewhere = await createTask(otherCb, 'elsewhere');
    await s.waitFor((events) => announcedIds(events).includes(fresh));
    expect(announcedIds(s.events)).toEqual([waitingHigh, waitingLow, fresh]);
    expect(announcedIds(s.events)).not.toContain(elsewhere);
  });

  it('hears tasks created on another API replica (Redis pub/sub)', async () => {
    const s = await stream({ 'X-Worker-Id': 'sw1' }, api);
    // Once a marker arrived, the replay is over and the subscription is live: what follows comes over Redis.
    const marker = await createTask(cbA, 'marker');
    await s.waitFor((events) => announcedIds(events).includes(marker));
    const viaReplica = await createTask(cbA, 'via-replica', replica);
    await s.waitFor((events) => announcedIds(events).includes(viaReplica));
  });

  it('announces a requeued task again, and a worker-global task', async () => {
    const s = await stream({ worker_id: 'sw1' });
    const id = await createTask(cbB, 'requeue-me');
    await s.waitFor((events) => announcedIds(events).includes(id));
    await api.post(`/v1/agent/tasks/${id}/cancel`).expect(200);
    await api.post(`/v1/agent/tasks/${id}/requeue`).expect(200);
    await s.waitFor((events) => announcedIds(events).filter((t) => t === id).length === 2);
    const global = ((await api.post('/v1/agent/tasks', { title: 'g', prompt: 'global', worker_id: 'sw1' }).expect(201)).body as { id: string }).id;
    await s.waitFor((events) => announcedIds(events).includes(global));
    expect(announced(s.events).find((t) => t.task_id === global)).toMatchObject({ codebase_id: null });
  });

  it('X-Codebases narrows the stream to those codebases; ids the worker does not own are ignored', async () => {
    const s = await stream({ worker_id: 'sw1', 'X-Codebases': `${cbA}, ${otherCb}, cb_nonexistent` });
    expect(s.status).toBe(200);
    const inB = await createTask(cbB, 'in-b');
    const inOther = await createTask(otherCb, 'in-other');
    const inA = await createTask(cbA, 'in-a');
    await s.waitFor((events) => announcedIds(events).includes(inA));
    expect(announcedIds(s.events)).not.toContain(inB);
    expect(announcedIds(s.events)).not.toContain(inOther);
    expect(announced(s.events).every((t) => t.codebase_id === cbA || t.codebase_id === null)).toBe(true);
  });

  it('keeps the connection alive with comments and tells the client how soon to reconnect', async () => {
    const s = await stream({ worker_id: 'sw1' });
    await s.waitFor(() => s.comments.includes('keep-alive'), 5000);
    const firstBytes = await new Promise<string>((resolve, reject) => {
      const req = http.get(`${api.baseUrl}${STREAM}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, worker_id: 'sw1' } }, (res) => {
        res.setEncoding('utf8');
        res.once('data', (text: string) => {
          resolve(text);
          req.destroy();
        });
      });
      req.on('error', reject);
    });
    expect(firstBytes.startsWith('retry: 3000\n\n')).toBe(true);
  });

  it('frees its Redis subscription when the worker goes away', async () => {
    const streams = api.app.get(WorkerTaskStreamService);
    const subscriber = api.app.get(ChannelSubscriber);
    const channel = workerTasksChannel(api.config.queuePrefix, 'sw2');
    const s = await stream({ worker_id: 'sw2' });
    await eventually(async () => subscriber.listenerCount(channel) === 1, 'the stream to subscribe');
    expect(streams.activeStreams).toBe(1);
    s.close();
    await eventually(async () => subscriber.listenerCount(channel) === 0 && streams.activeStreams === 0, 'the subscription to be freed');
  });

  it('frees everything when the worker hangs up before the stream opened', async () => {
    const streams = api.app.get(WorkerTaskStreamService);
    const subscriber = api.app.get(ChannelSubscriber);
    const channel = workerTasksChannel(api.config.queuePrefix, 'sw2');
    const open = jest.spyOn(streams, 'open');
    try {
      for (let i = 0; i < 5; i++) await hangUpEarly(api.baseUrl, STREAM, { Authorization: `Bearer ${ADMIN_TOKEN}`, worker_id: 'sw2', 'X-Codebases': otherCb });
      await eventually(async () => open.mock.results.length === 5, 'the five requests to reach the stream');
      await Promise.all(open.mock.results.map((r) => r.value as Promise<void>));
      expect(streams.activeStreams).toBe(0);
      expect(subscriber.listenerCount(channel)).toBe(0);
    } finally {
      open.mockRestore();
    }
  });

  describe('who may open it', () => {
    const get = (headers: Record<string, string>) => {
      const req = request(api.app.getHttpServer()).get(STREAM);
      for (const [k, v] of Object.entries(headers)) req.set(k, v);
      return req;
    };

    it('no token: 401', async () => {
      const res = await get({ worker_id: 'sw1' }).expect(401);
      expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    });

    it('a client token: 403 naming the scopes needed', async () => {
      const res = await get({ Authorization: `Bearer ${CLIENT_TOKEN}`, worker_id: 'sw1' }).expect(403);
      expect(res.body.details).toMatchObject({ required_scopes: ['admin', 'worker'], token_scope: 'client' });
    });

    it('a worker token for its own worker id: the stream; for another worker id: 403', async () => {
      const own = await openSse(`${api.baseUrl}${STREAM}`, { Authorization: `Bearer ${SW1_TOKEN}`, worker_id: 'sw1' });
      open.push(own);
      expect(own.status).toBe(200);
      const res = await get({ Authorization: `Bearer ${SW1_TOKEN}`, worker_id: 'sw2' }).expect(403);
      expect(res.body.message).toContain('the worker_id header must be "sw1" (got "sw2")');
    });

    it('no worker id: 400', async () => {
      const res = await get({ Authorization: `Bearer ${ADMIN_TOKEN}` }).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, message: expect.stringContaining('worker_id') });
    });

    it('an unknown worker: 404 saying to register first', async () => {
      const res = await get({ Authorization: `Bearer ${ADMIN_TOKEN}`, worker_id: 'ghost' }).expect(404);
      expect(res.body).toMatchObject({ statusCode: 404, message: expect.stringContaining('worker ghost not found'), details: { worker_id: 'ghost' } });
    });
  });
});
