import { TaskOutputStreamService } from '../../../apps/api/src/output/task-output-stream.service';
import { ChannelSubscriber } from '../../../apps/api/src/queue/channel-subscriber';
import { LiveEvents } from '../../../apps/api/src/queue/live-events';
import { eventually, startTestApi, type TestApi, ADMIN_TOKEN } from '../../support/api-harness';
import { FakeWorker } from '../../support/fake-worker';
import { hangUpEarly } from '../../support/hang-up-early';
import { openSse, type SseEvent } from '../../support/sse-client';

const auth = { Authorization: `Bearer ${ADMIN_TOKEN}` };
const outputText = (events: SseEvent[]) =>
  events
    .filter((e) => e.event === 'output')
    .map((e) => (JSON.parse(e.data) as { data: string }).data)
    .join('');

describe('task output', () => {
  let api: TestApi;
  let worker: FakeWorker;
  let codebaseId: string;
  beforeAll(async () => {
    api = await startTestApi({ SSE_KEEPALIVE_S: '1' });
    worker = new FakeWorker(api, 'out-worker');
    await worker.register();
    codebaseId = (await worker.addCodebase('/srv/output')).id;
  });
  afterAll(() => api?.close());

  const runningTask = async () => {
    const task = (await api.post(`/v1/agent/codebases/${codebaseId}/tasks`, { title: 't', prompt: 'p' }).expect(201)).body as { id: string };
    const claim = await worker.claim(task.id);
    return { id: task.id, attempt: claim.attempt };
  };

  describe('storing and reading', () => {
    it('stores a chunk once: the same chunk twice is acknowledged but not stored again', async () => {
      const t = await runningTask();
      const first = await worker.output(t.id, t.attempt, 0, 'hello ').expect(200);
      expect(first.body).toEqual({ task_id: t.id, offset: 0, next_offset: 6, stored: true });
      const again = await worker.output(t.id, t.attempt, 0, 'hello ').expect(200);
      expect(again.body.stored).toBe(false);
      const read = await api.get(`/v1/agent/tasks/${t.id}/output`).expect(200);
      expect(read.body).toEqual({ task_id: t.id, offset: 0, next_offset: 6, output_bytes: 6, output_truncated: false, chunks: [{ offset: 0, data: 'hello ' }] });
    });

    it('reads out-of-order chunks back in order, with byte offsets for multi-byte text', async () => {
      const t = await runningTask();
      await worker.output(t.id, t.attempt, 8, 'wörld\n').expect(200); // 'héllo, ' is 8 bytes of UTF-8
      await worker.output(t.id, t.attempt, 0, 'héllo, ').expect(200);
      const task = (await api.get(`/v1/agent/tasks/${t.id}`).expect(200)).body;
      expect(task.output_bytes).toBe(15);
      const read = await api.get(`/v1/opencode/tasks/${t.id}/output?offset=0`).expect(200);
      expect(read.body.chunks).toEqual([
        { offset: 0, data: 'héllo, ' },
        { offset: 8, data: 'wörld\n' },
      ]);
      const from = await api.get(`/v1/agent/tasks/${t.id}/output?offset=9&limit_bytes=1`).expect(200);
      expect(from.body).toMatchObject({ offset: 9, next_offset: 15, chunks: [{ offset: 9, data: 'örld\n' }] });
    });

    it('pages by limit_bytes and continues from next_offset', async () => {
      const t = await runningTask();
      let offset = 0;
      for (const piece of ['aaaa', 'bbbb', 'cccc', 'dddd']) {
        await worker.output(t.id, t.attempt, offset, piece).expect(200);
        offset += 4;
      }
      const first = (await api.get(`/v1/agent/tasks/${t.id}/output?limit_bytes=8`).expect(200)).body;
      expect(first.chunks.map((c: { data: string }) => c.data)).toEqual(['aaaa', 'bbbb']);
      const second = (await api.get(`/v1/agent/tasks/${t.id}/output?offset=${first.next_offset}&limit_bytes=8`).expect(200)).body;
      expect(second.chunks.map((c: { data: string }) => c.data)).toEqual(['cccc', 'dddd']);
      expect(second.next_offset).toBe(16);
      const beyond = (await api.get(`/v1/agent/tasks/${t.id}/output?offset=16`).expect(200)).body;
      expect(beyond).toMatchObject({ chunks: [], next_offset: 16, output_bytes: 16 });
    });

    it('fences output to the claiming worker at its current attempt', async () => {
      const t = await runningTask();
      expect((await worker.output(t.id, t.attempt - 1, 0, 'x').expect(409)).body.message).toMatch(/stale attempt/);
      await api.post(`/v1/agent/tasks/${t.id}/output`, { worker_id: 'someone-else', attempt: t.attempt, offset: 0, data: 'x' }).expect(409);
      const pending = (await api.post(`/v1/agent/codebases/${codebaseId}/tasks`, { prompt: 'p' }).expect(201)).body;
      expect((await worker.output(pending.id, 0, 0, 'x').expect(409)).body.message).toBe('task has not been claimed');
      await worker.output('task_nope', 1, 0, 'x').expect(404);
    });

    it('validates chunks: empty data, negative offset, over 1 MiB', async () => {
      const t = await runningTask();
      await worker.output(t.id, t.attempt, 0, '').expect(400);
      await worker.output(t.id, t.attempt, -1, 'x').expect(400);
      const bigOffset = await worker.output(t.id, t.attempt, 1e300, 'x').expect(400);
      expect(bigOffset.body.details).toEqual([expect.objectContaining({ field: 'offset' })]);
      const bigAttempt = await worker.output(t.id, 3000000000, 0, 'x').expect(400);
      expect(bigAttempt.body.details).toEqual([expect.objectContaining({ field: 'attempt' })]);
      await api.get(`/v1/agent/tasks/${t.id}/output?offset=1e20`).expect(400);
      const big = await worker.output(t.id, t.attempt, 0, 'x'.repeat(1024 * 1024 + 1)).expect(413);
      expect(big.body.message).toMatch(/at most 1048576/);
      await worker.output(t.id, t.attempt, 0, 'y'.repeat(1024 * 1024)).expect(200);
      await api.get(`/v1/agent/tasks/${t.id}/output?limit_bytes=0`).expect(400);
      await api.get('/v1/agent/tasks/task_nope/output').expect(404);
    });
  });

  describe('SSE stream', () => {
    it('replays stored output, follows live output, and ends with done', async () => {
      const t = await runningTask();
      await worker.output(t.id, t.attempt, 0, 'line 1\n').expect(200);
      await worker.output(t.id, t.attempt, 7, 'line 2\n').expect(200);

      const stream = await openSse(`${api.baseUrl}/v1/agent/tasks/${t.id}/output/stream`, auth);
      expect(stream.status).toBe(200);
      expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
      await stream.waitFor((ev) => outputText(ev) === 'line 1\nline 2\n');
      expect(stream.events.map((e) => e.id)).toEqual(['7', '14']);

      await worker.output(t.id, t.attempt, 14, 'live 3\n').expect(200);
      await stream.waitFor((ev) => outputText(ev).endsWith('live 3\n'));
      // A retried chunk is not sent twice.
      await worker.output(t.id, t.attempt, 14, 'live 3\n').expect(200);
      await worker.report(t.id, t.attempt, 'completed', { result: 'done!', exit_code: 0 }).expect(200);
      await stream.ended;
      expect(outputText(stream.events)).toBe('line 1\nline 2\nlive 3\n');
      const done = stream.events[stream.events.length - 1];
      expect(done.event).toBe('done');
      expect(JSON.parse(done.data)).toEqual({ status: 'completed', failure_reason: null, exit_code: 0, result: 'done!' });
    });

    it('resumes from Last-Event-ID or ?offset=, and ends at once for a finished task', async () => {
      const t = await runningTask();
      await worker.output(t.id, t.attempt, 0, 'aaa').expect(200);
      await worker.output(t.id, t.attempt, 3, 'bbb').expect(200);
      await worker.report(t.id, t.attempt, 'failed', { error: 'x', exit_code: 3, failure_reason: 'agent_exit_nonzero' }).expect(200);

      const resumed = await openSse(`${api.baseUrl}/v1/agent/tasks/${t.id}/output/stream`, { ...auth, 'Last-Event-ID': '3' });
      await resumed.ended;
      expect(outputText(resumed.events)).toBe('bbb');
      expect(JSON.parse(resumed.events[resumed.events.length - 1].data)).toEqual({ status: 'failed', failure_reason: 'agent_exit_nonzero', exit_code: 3, result: null });

      const fromQuery = await openSse(`${api.baseUrl}/v1/opencode/tasks/${t.id}/output/stream?offset=4`, auth);
      await fromQuery.ended;
      expect(outputText(fromQuery.events)).toBe('bb');
    });

    it('fills a gap in live offsets from the database', async () => {
      const t = await runningTask();
      const stream = await openSse(`${api.baseUrl}/v1/agent/tasks/${t.id}/output/stream`, auth);
      await worker.output(t.id, t.attempt, 4, 'BBBB').expect(200); // arrives first: a gap at 0..4
      await worker.output(t.id, t.attempt, 0, 'AAAA').expect(200);
      await stream.waitFor((ev) => outputText(ev) === 'AAAABBBB');
      await worker.report(t.id, t.attempt, 'cancelled').expect(200);
      await stream.ended;
      expect(outputText(stream.events)).toBe('AAAABBBB');
      expect(JSON.parse(stream.events[stream.events.length - 1].data).status).toBe('cancelled');
    });

    it('sends keep-alive comments and stops listening when the client leaves', async () => {
      const t = await runningTask();
      const stream = await openSse(`${api.baseUrl}/v1/agent/tasks/${t.id}/output/stream`, auth);
      await eventually(async () => stream.comments.includes('keep-alive'), 'a keep-alive comment', 5000);
      stream.close();
      await eventually(async () => api.app.get(TaskOutputStreamService).activeFollowers === 0, 'follower cleanup');
    });

    it('frees the follower and its Redis subscription when the client hangs up before the stream opened', async () => {
      const t = await runningTask();
      const streams = api.app.get(TaskOutputStreamService);
      const subscriber = api.app.get(ChannelSubscriber);
      const channel = api.app.get(LiveEvents).taskChannel(t.id);
      const follow = jest.spyOn(streams, 'follow');
      try {
        for (let i = 0; i < 5; i++) await hangUpEarly(api.baseUrl, `/v1/agent/tasks/${t.id}/output/stream`, auth);
        await eventually(async () => follow.mock.results.length === 5, 'the five requests to reach the stream');
        await Promise.all(follow.mock.results.map((r) => r.value as Promise<void>));
        expect(streams.activeFollowers).toBe(0);
        expect(subscriber.listenerCount(channel)).toBe(0);
      } finally {
        follow.mockRestore();
      }
    });

    it('answers 404 and 401 before opening a stream', async () => {
      await api.get('/v1/agent/tasks/task_nope/output/stream').expect(404);
      await api.anonymous().get('/v1/agent/tasks/task_nope/output/stream').expect(401);
    });
  });
});
