import { Client } from 'pg';
import { parseTaskJob, SESSION_SYNC_LIMITS } from '#contracts';
import { jobIdFor } from '#domain';
import { eventually, startTestApi, type TestApi } from '../../support/api-harness';
import { FakeWorker } from '../../support/fake-worker';
import { QueueInspector } from '../../support/queue-inspector';

interface SyncItem {
  id: string;
  [key: string]: unknown;
}

describe('agent sessions', () => {
  let api: TestApi;
  let queues: QueueInspector;
  let db: Client;
  let worker: FakeWorker;
  let other: FakeWorker;
  let codebaseId: string;
  let otherCodebaseId: string;

  beforeAll(async () => {
    api = await startTestApi();
    queues = new QueueInspector(api);
    db = new Client({ connectionString: api.db.url });
    await db.connect();
    worker = new FakeWorker(api, 'sess-worker', ['opencode', 'claude_code']);
    other = new FakeWorker(api, 'sess-other', ['opencode']);
    await worker.register();
    await other.register();
    codebaseId = (await worker.addCodebase('/home/user/sessions-project')).id;
    otherCodebaseId = (await other.addCodebase('/home/user/other-project')).id;
  });
  afterAll(async () => {
    await db?.end();
    await queues?.close();
    await api?.close();
  });

  const sync = (sessions: SyncItem[], cb = codebaseId, workerId = worker.id, prefix = '/v1/agent') =>
    api.post(`${prefix}/codebases/${cb}/sessions/sync`, { worker_id: workerId, sessions });
  const detail = async (sid: string, cb = codebaseId) => (await api.get(`/v1/agent/codebases/${cb}/sessions/${sid}`).expect(200)).body;
  const messages = (...texts: string[]) => texts.map((text, i) => ({ id: `m${i}`, role: i % 2 ? 'assistant' : 'user', text }));

  describe('sync', () => {
    it('accepts the seed payload and shows the session', async () => {
      const res = await api
        .post(`/v1/opencode/codebases/${codebaseId}/sessions/sync`, {
          worker_id: worker.id,
          sessions: [{ id: 'sess_xyz', title: 'Added unit tests', created_at: '2025-12-10T15:00:00Z' }],
        })
        .expect(200);
      expect(res.body).toEqual({ codebase_id: codebaseId, synced: 1, synced_at: expect.any(String), rejected: [] });
      expect(await detail('sess_xyz')).toEqual({
        id: 'sess_xyz',
        codebase_id: codebaseId,
        worker_id: worker.id,
        agent_type: 'opencode',
        title: 'Added unit tests',
        summary: null,
        created_at: '2025-12-10T15:00:00.000Z',
        updated_at: '2025-12-10T15:00:00.000Z',
        message_count: 0,
        tool_usage: {},
        synced_at: res.body.synced_at,
        messages: [],
      });
    });

    it('is incremental: other sessions are kept, given messages replace the stored ones, omitted ones are kept', async () => {
      await sync([
        { id: 'inc_a', title: 'A', updated_at: '2025-12-11T10:00:00Z', messages: messages('first question', 'first answer', 'second question') },
        { id: 'inc_b', title: 'B', updated_at: '2025-12-11T10:01:00Z', messages: messages('keep me') },
      ]).expect(200);
      const res = await sync([
        {
          id: 'inc_a',
          updated_at: '2025-12-11T11:00:00Z',
          message_count: 42,
          tool_usage: { read: 3, edit: 1 },
          messages: [
            { id: 'n1', role: 'user', text: 'new question', created_at: '2025-12-11T10:59:00Z' },
            { id: 'n2', role: 'assistant', text: 'new answer', tool_calls: ['read', 'edit'] },
          ],
        },
      ]).expect(200);
      expect(res.body.synced).toBe(1);
      const a = await detail('inc_a');
      expect(a).toMatchObject({ title: 'A', summary: 'new question', message_count: 42, tool_usage: { read: 3, edit: 1 }, updated_at: '2025-12-11T11:00:00.000Z' });
      expect(a.messages).toEqual([
        { id: 'n1', role: 'user', seq: 0, created_at: '2025-12-11T10:59:00.000Z', text: 'new question', tool_calls: [] },
        { id: 'n2', role: 'assistant', seq: 1, created_at: null, text: 'new answer', tool_calls: ['read', 'edit'] },
      ]);
      // Named again without messages: its messages and title stay.
      await sync([{ id: 'inc_b', updated_at: '2025-12-11T12:00:00Z' }]).expect(200);
      const b = await detail('inc_b');
      expect(b).toMatchObject({ title: 'B', summary: 'keep me', message_count: 1, updated_at: '2025-12-11T12:00:00.000Z' });
      expect(b.messages.map((m: { text: string }) => m.text)).toEqual(['keep me']);
    });

    it('shortens over-long titles and message texts instead of rejecting them', async () => {
      await sync([
        { id: 'long_1', title: 'T'.repeat(SESSION_SYNC_LIMITS.maxTitle + 50), messages: [{ id: 'x', role: 'user', text: `a\u0000${'b'.repeat(SESSION_SYNC_LIMITS.maxMessageText + 10)}` }] },
      ]).expect(200);
      const s = await detail('long_1');
      expect(s.title).toHaveLength(SESSION_SYNC_LIMITS.maxTitle);
      expect(s.messages[0].text).toHaveLength(SESSION_SYNC_LIMITS.maxMessageText);
      expect(s.messages[0].text.startsWith('abbb')).toBe(true);
    });

    it('drops lone UTF-16 surrogates from session text instead of failing', async () => {
      await sync([{ id: 'surrogate_1', title: 'cut \ud83d', summary: '\udc00sum', messages: [{ id: 'a', role: 'user', text: 'half an emoji \ud800!' }] }]).expect(200);
      const s = await detail('surrogate_1');
      expect(s).toMatchObject({ title: 'cut', summary: 'sum' });
      expect(s.messages[0].text).toBe('half an emoji !');
    });

    it('answers 409 when the worker does not own the codebase, 404 for an unknown or deleted codebase', async () => {
      const wrong = await sync([{ id: 'sess_w' }], codebaseId, other.id).expect(409);
      expect(wrong.body).toMatchObject({ statusCode: 409, error: 'Conflict', message: expect.stringContaining(`worker ${other.id} does not own codebase ${codebaseId}`) });
      await sync([{ id: 'sess_w' }], 'cb_doesnotexist0000').expect(404);
      const doomed = (await worker.addCodebase('/home/user/doomed')).id;
      await api.delete(`/v1/agent/codebases/${doomed}`).expect(200);
      const gone = await sync([{ id: 'sess_w' }], doomed).expect(404);
      expect(gone.body.message).toMatch(/codebase .* not found/);
      await api.get(`/v1/agent/codebases/${codebaseId}/sessions/sess_w`).expect(404);
    });

    it('answers 400 naming the field for bad bodies', async () => {
      const noWorker = await api.post(`/v1/agent/codebases/${codebaseId}/sessions/sync`, { sessions: [] }).expect(400);
      expect(noWorker.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'worker_id' })]));
      const notArray = await api.post(`/v1/agent/codebases/${codebaseId}/sessions/sync`, { worker_id: worker.id, sessions: 'all' }).expect(400);
      expect(notArray.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'sessions' })]));
      const badDate = await sync([{ id: 'ok_1' }, { id: 'bad_date', created_at: 'yesterday' }]).expect(400);
      expect(badDate.body.details).toEqual([{ field: 'sessions.1.created_at', problems: [expect.stringMatching(/created_at must be an ISO 8601 timestamp/)] }]);
      const yearZero = await sync([{ id: 'y_0', messages: [{ id: 'a', role: 'user', created_at: '0000-01-01T00:00:00Z' }] }]).expect(400);
      expect(yearZero.body.details[0].field).toBe('sessions.0.messages.0.created_at');
      const badId = await sync([{ id: 'has spaces; rm -rf' }]).expect(400);
      expect(badId.body.details[0].field).toBe('sessions.0.id');
      const badUsage = await sync([{ id: 'u_1', tool_usage: { read: -1 } }]).expect(400);
      expect(badUsage.body.message).toMatch(/tool_usage.read must be a non-negative integer/);
      const badMessage = await sync([{ id: 'm_1', messages: [{ id: 'a', role: 'user' }, { role: 'assistant', text: 'no id' }] }]).expect(400);
      expect(badMessage.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'sessions.0.messages.1.id' })]));
      const count = await sync([{ id: 'c_1', message_count: 3000000000 }]).expect(400);
      expect(count.body.details).toEqual([{ field: 'sessions.0.message_count', problems: ['message_count must be at most 2147483647'] }]);
      const unknown = await sync([{ id: 'k_1', colour: 'red' }]).expect(400);
      expect(unknown.body.message).toMatch(/property colour should not exist/);
      const dupes = await sync([{ id: 'dup' }, { id: 'dup' }]).expect(400);
      expect(dupes.body.details).toEqual([{ field: 'sessions.1.id', problems: ['session dup appears more than once'] }]);
      // Nothing of the rejected requests was stored.
      await api.get(`/v1/agent/codebases/${codebaseId}/sessions/ok_1`).expect(404);
    });

    it('answers 400 saying which limit a too large sync exceeds', async () => {
      const tooMany = Array.from({ length: SESSION_SYNC_LIMITS.maxSessions + 1 }, (_, i) => ({ id: `many_${i}` }));
      const sessions = await sync(tooMany).expect(400);
      expect(sessions.body.message).toContain(`at most ${SESSION_SYNC_LIMITS.maxSessions} sessions per sync`);
      const long = Array.from({ length: SESSION_SYNC_LIMITS.maxMessages + 1 }, (_, i) => ({ id: `m${i}`, role: 'user', text: 'x' }));
      const msgs = await sync([{ id: 'chatty', messages: long }]).expect(400);
      expect(msgs.body.message).toContain(`at most ${SESSION_SYNC_LIMITS.maxMessages} messages per session`);
      expect(msgs.body.details[0].field).toBe('sessions.0.messages');
      // Exactly at the limits is fine (and fits the body limit).
      const atLimit = Array.from({ length: SESSION_SYNC_LIMITS.maxMessages }, (_, i) => ({ id: `m${i}`, role: 'user', text: 'y'.repeat(500) }));
      await sync([{ id: 'chatty', messages: atLimit }]).expect(200);
      expect((await detail('chatty')).messages).toHaveLength(SESSION_SYNC_LIMITS.maxMessages);
      // Full messages in a few sessions are larger than the default 1mb body limit: still accepted.
      const full = Array.from({ length: SESSION_SYNC_LIMITS.maxMessages }, (_, i) => ({ id: `m${i}`, role: 'user', text: 'z'.repeat(SESSION_SYNC_LIMITS.maxMessageText) }));
      const big = await sync([1, 2, 3].map((n) => ({ id: `big_${n}`, messages: full }))).expect(200);
      expect(big.body.synced).toBe(3);
    });

    it('is all or nothing: a failure while storing leaves every session as it was', async () => {
      await sync([{ id: 'atomic_1', title: 'before', messages: messages('old text') }]).expect(200);
      // A real database failure half-way through the request: a trigger refuses one message.
      await db.query(`CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
                      BEGIN RAISE EXCEPTION 'refused by test trigger'; END $$`);
      await db.query(`CREATE TRIGGER refuse_boom BEFORE INSERT ON session_messages FOR EACH ROW WHEN (NEW.id = 'boom') EXECUTE FUNCTION refuse_boom()`);
      try {
        const res = await sync([
          { id: 'atomic_1', title: 'after', messages: messages('new text') },
          { id: 'atomic_2', title: 'new', messages: [{ id: 'boom', role: 'user', text: 'x' }] },
        ]);
        expect(res.status).toBe(500);
        expect(res.body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' });
      } finally {
        await db.query('DROP TRIGGER refuse_boom ON session_messages');
        await db.query('DROP FUNCTION refuse_boom()');
      }
      const kept = await detail('atomic_1');
      expect(kept.title).toBe('before');
      expect(kept.messages.map((m: { text: string }) => m.text)).toEqual(['old text']);
      await api.get(`/v1/agent/codebases/${codebaseId}/sessions/atomic_2`).expect(404);
    });

    it('does not let another codebase take over a stored session id, and stores the rest', async () => {
      await sync([{ id: 'owned_1', title: 'mine', messages: messages('original text') }]).expect(200);
      const res = await sync(
        [
          { id: 'owned_1', title: 'hijacked', messages: messages('evil') },
          { id: 'theirs_1', title: 'theirs' },
        ],
        otherCodebaseId,
        other.id,
      ).expect(200);
      expect(res.body).toMatchObject({ synced: 1, rejected: [{ id: 'owned_1', reason: 'session owned_1 belongs to another codebase' }] });
      const original = await detail('owned_1');
      expect(original).toMatchObject({ codebase_id: codebaseId, worker_id: worker.id, title: 'mine' });
      expect(original.messages.map((m: { text: string }) => m.text)).toEqual(['original text']);
      await api.get(`/v1/agent/codebases/${otherCodebaseId}/sessions/owned_1`).expect(404);
      expect(await detail('theirs_1', otherCodebaseId)).toMatchObject({ title: 'theirs' });
    });
  });

  describe('concurrent syncs', () => {
    it('syncs of one codebase naming the same new sessions in different orders all succeed', async () => {
      const ids = Array.from({ length: 20 }, (_, i) => `race_${i}`);
      const orders = [ids, [...ids].reverse(), [...ids.slice(10), ...ids.slice(0, 10)], [...ids.filter((_, i) => i % 2), ...ids.filter((_, i) => i % 2 === 0)]];
      const results = await Promise.all(orders.map((order) => sync(order.map((id) => ({ id, messages: messages(id) })))));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect((await detail('race_7')).messages.map((m: { text: string }) => m.text)).toEqual(['race_7']);
    });

    it('two codebases racing for one new session id: exactly one gets it, the other is told', async () => {
      const [mine, theirs] = await Promise.all([
        sync([{ id: 'contested_1', title: 'mine' }]),
        sync([{ id: 'contested_1', title: 'theirs' }], otherCodebaseId, other.id),
      ]);
      expect([mine.status, theirs.status]).toEqual([200, 200]);
      const winners = [mine, theirs].filter((r) => r.body.synced === 1);
      const losers = [mine, theirs].filter((r) => r.body.rejected.length === 1);
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(1);
      expect(losers[0].body.rejected).toEqual([{ id: 'contested_1', reason: 'session contested_1 belongs to another codebase' }]);
      const owner = winners[0] === mine ? codebaseId : otherCodebaseId;
      expect(await detail('contested_1', owner)).toMatchObject({ title: winners[0] === mine ? 'mine' : 'theirs' });
    });
  });

  describe('browse', () => {
    let cb: string;
    beforeAll(async () => {
      cb = (await worker.addCodebase('/home/user/browse-project')).id;
      await sync(
        [
          { id: 'br_1', title: 'Set up CI', agent_type: 'opencode', updated_at: '2025-12-01T10:00:00Z', messages: messages('configure github actions') },
          { id: 'br_2', title: 'Fix login', agent_type: 'claude_code', updated_at: '2025-12-03T10:00:00Z', messages: messages('the login page 500s', 'found a NULL pointer') },
          { id: 'br_3', title: 'Refactor db', agent_type: 'claude', updated_at: '2025-12-02T10:00:00Z', summary: 'split the 100%_big module' },
          { id: 'br_4', title: 'Docs', agent_type: 'codex', updated_at: '2025-12-04T10:00:00Z', messages: messages('write the README') },
          { id: 'br_5', title: 'Tests', updated_at: '2025-12-05T10:00:00Z' },
        ],
        cb,
      ).expect(200);
    });
    const list = async (query = '') => (await api.get(`/v1/agent/codebases/${cb}/sessions${query}`).expect(200)).body;

    it('lists newest updated first and pages with a cursor', async () => {
      const all = await list();
      expect(all.sessions.map((s: { id: string }) => s.id)).toEqual(['br_5', 'br_4', 'br_2', 'br_3', 'br_1']);
      expect(all.next_cursor).toBeNull();
      const first = await list('?limit=2');
      expect(first.sessions.map((s: { id: string }) => s.id)).toEqual(['br_5', 'br_4']);
      const second = await list(`?limit=2&cursor=${first.next_cursor}`);
      expect(second.sessions.map((s: { id: string }) => s.id)).toEqual(['br_2', 'br_3']);
      const third = await list(`?limit=2&cursor=${second.next_cursor}`);
      expect(third.sessions.map((s: { id: string }) => s.id)).toEqual(['br_1']);
      expect(third.next_cursor).toBeNull();
      const bad = await api.get(`/v1/agent/codebases/${cb}/sessions?cursor=garbage`).expect(400);
      expect(bad.body.details[0].field).toBe('cursor');
      await api.get(`/v1/agent/codebases/${cb}/sessions?limit=0`).expect(400);
      await api.get('/v1/agent/codebases/cb_doesnotexist0000/sessions').expect(404);
      // Input the database cannot take is the caller's mistake, not a server error.
      expect((await api.get('/v1/agent/codebases/%00/sessions').expect(400)).body.message).toBe('Text must not contain NUL characters');
      await api.get(`/v1/agent/codebases/${cb}/sessions?q=a%00b`).expect(400);
      const oldCursor = Buffer.from(JSON.stringify(['0000-01-01T00:00:00Z', 'x'])).toString('base64url');
      await api.get(`/v1/agent/codebases/${cb}/sessions?cursor=${oldCursor}`).expect(400);
    });

    it('searches titles, summaries and message text, with LIKE wildcards taken literally', async () => {
      const ids = async (q: string) => (await list(`?q=${encodeURIComponent(q)}`)).sessions.map((s: { id: string }) => s.id);
      expect(await ids('null pointer')).toEqual(['br_2']);
      expect(await ids('GITHUB')).toEqual(['br_1']);
      expect(await ids('docs')).toEqual(['br_4']);
      expect(await ids('100%_big')).toEqual(['br_3']);
      expect(await ids('%')).toEqual(['br_3']);
      expect(await ids('_')).toEqual(['br_3']);
      expect(await ids('nothing like this')).toEqual([]);
    });

    it('filters by agent_type (claude is claude_code)', async () => {
      const ids = async (t: string) => (await list(`?agent_type=${t}`)).sessions.map((s: { id: string }) => s.id);
      expect(await ids('claude_code')).toEqual(['br_2', 'br_3']);
      expect(await ids('claude')).toEqual(['br_2', 'br_3']);
      expect(await ids('opencode')).toEqual(['br_5', 'br_1']);
      expect((await list('?agent_type=claude_code&q=login')).sessions.map((s: { id: string }) => s.id)).toEqual(['br_2']);
    });

    it('shows a session with its messages in order, the most recent ones when limited, and pages them', async () => {
      const texts = Array.from({ length: 7 }, (_, i) => `message ${i}`);
      await sync([{ id: 'br_long', messages: texts.map((text, i) => ({ id: `z${i}`, role: 'user', text })) }], cb).expect(200);
      const full = await detail('br_long', cb);
      expect(full.messages.map((m: { seq: number; text: string }) => [m.seq, m.text])).toEqual(texts.map((t, i) => [i, t]));
      const recent = (await api.get(`/v1/agent/codebases/${cb}/sessions/br_long?messages_limit=3`).expect(200)).body;
      expect(recent.messages.map((m: { text: string }) => m.text)).toEqual(['message 4', 'message 5', 'message 6']);
      await api.get(`/v1/agent/codebases/${cb}/sessions/br_long?messages_limit=nope`).expect(400);

      const page1 = (await api.get(`/v1/agent/codebases/${cb}/sessions/br_long/messages?limit=4`).expect(200)).body;
      expect(page1.messages.map((m: { seq: number }) => m.seq)).toEqual([0, 1, 2, 3]);
      const page2 = (await api.get(`/v1/agent/codebases/${cb}/sessions/br_long/messages?limit=4&cursor=${page1.next_cursor}`).expect(200)).body;
      expect(page2.messages.map((m: { seq: number }) => m.seq)).toEqual([4, 5, 6]);
      expect(page2.next_cursor).toBeNull();
      await api.get(`/v1/agent/codebases/${cb}/sessions/br_long/messages?cursor=garbage`).expect(400);
      // Only within its own codebase.
      const elsewhere = await api.get(`/v1/agent/codebases/${codebaseId}/sessions/br_long`).expect(404);
      expect(elsewhere.body.message).toBe(`session br_long not found in codebase ${codebaseId}`);
      await api.get(`/v1/agent/codebases/${cb}/sessions/nope/messages`).expect(404);
    });
  });

  describe('resume', () => {
    it('creates a pending continuation task with the session tool, visible in the task list and enqueued', async () => {
      await sync([{ id: 'res-claude-1', title: 'Fix login', agent_type: 'claude_code' }]).expect(200);
      const res = await api
        .post(`/v1/agent/codebases/${codebaseId}/sessions/res-claude-1/resume`, { prompt: 'Now add a test for it', priority: 40, metadata: { model: 'claude-sonnet-4-5', ticket: 'T-1' } })
        .set('X-Request-Id', 'corr-resume-1')
        .expect(201);
      expect(res.body).toMatchObject({
        codebase_id: codebaseId,
        title: 'Resume Fix login',
        prompt: 'Now add a test for it',
        tool: 'claude_code',
        model: 'claude-sonnet-4-5',
        priority: 40,
        status: 'pending',
        worker_id: worker.id,
        metadata: { resume_session_id: 'res-claude-1', model: 'claude-sonnet-4-5', ticket: 'T-1' },
      });
      const listed = (await api.get(`/v1/agent/tasks?codebase_id=${codebaseId}`).expect(200)).body.tasks;
      expect(listed.map((t: { id: string }) => t.id)).toContain(res.body.id);
      const job = await queues.job(`codebase-${codebaseId}`, jobIdFor(res.body.id, 0));
      expect(parseTaskJob(job!.data)).toMatchObject({ task_id: res.body.id, tool: 'claude_code', resume_session_id: 'res-claude-1', correlation_id: 'corr-resume-1' });
    });

    it('keeps the given title, and the session id wins over a different resume_session_id', async () => {
      await sync([{ id: 'res-oc-1' }]).expect(200);
      const res = await api
        .post(`/v1/opencode/codebases/${codebaseId}/sessions/res-oc-1/resume`, { prompt: 'go on', title: 'Keep going', metadata: { resume_session_id: 'something-else' } })
        .expect(201);
      expect(res.body).toMatchObject({ title: 'Keep going', tool: 'opencode', metadata: { resume_session_id: 'res-oc-1' } });
    });

    it('answers 404 for an unknown session or one of another codebase, 400 for a bad body', async () => {
      await api.post(`/v1/agent/codebases/${codebaseId}/sessions/nope/resume`, { prompt: 'x' }).expect(404);
      await api.post(`/v1/agent/codebases/${otherCodebaseId}/sessions/res-oc-1/resume`, { prompt: 'x' }).expect(404);
      const bad = await api.post(`/v1/agent/codebases/${codebaseId}/sessions/res-oc-1/resume`, { priority: 500 }).expect(400);
      expect(bad.body.details.map((d: { field: string }) => d.field)).toEqual(expect.arrayContaining(['prompt', 'priority']));
    });

    it('answers 400 for a synced session whose id no agent can resume (sync keeps it)', async () => {
      await sync([{ id: 'store.entry:7' }]).expect(200);
      const res = await api.post(`/v1/agent/codebases/${codebaseId}/sessions/store.entry:7/resume`, { prompt: 'x' }).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, message: expect.stringContaining('session store.entry:7 cannot be resumed'), details: [expect.objectContaining({ field: 'session_id' })] });
    });

    it('answers 422 when the worker no longer has the tool that owns the session', async () => {
      await sync([{ id: 'res-gemini-1', agent_type: 'gemini' }], otherCodebaseId, other.id).expect(200);
      const res = await api.post(`/v1/agent/codebases/${otherCodebaseId}/sessions/res-gemini-1/resume`, { prompt: 'x' }).expect(422);
      expect(res.body.message).toBe(`tool "gemini" is not installed on worker ${other.id} (installed: opencode)`);
    });

    it("answers 409 when the session was recorded by another worker than the codebase's", async () => {
      await sync([{ id: 'res-moved-1' }]).expect(200);
      await db.query(`UPDATE sessions SET worker_id = $1 WHERE id = 'res-moved-1'`, [other.id]);
      const res = await api.post(`/v1/agent/codebases/${codebaseId}/sessions/res-moved-1/resume`, { prompt: 'x' }).expect(409);
      expect(res.body.message).toContain(`recorded by worker ${other.id}, but codebase ${codebaseId} is now on worker ${worker.id}`);
    });

    it('answers 409 when the codebase has no active worker', async () => {
      const lonely = new FakeWorker(api, 'sess-lonely', ['opencode']);
      await lonely.register();
      const cb = (await lonely.addCodebase('/home/user/lonely')).id;
      await sync([{ id: 'res-lonely-1' }], cb, lonely.id).expect(200);
      await api.post(`/v1/agent/workers/${lonely.id}/unregister`).expect(200);
      const res = await api.post(`/v1/agent/codebases/${cb}/sessions/res-lonely-1/resume`, { prompt: 'x' }).expect(409);
      expect(res.body.message).toContain(`codebase ${cb} has no active worker (its worker ${lonely.id} is offline)`);
    });
  });

  describe('docs', () => {
    it('documents the session routes under both prefixes', async () => {
      const doc = (await api.anonymous().get('/docs-json').expect(200)).body;
      for (const prefix of ['/v1/agent', '/v1/opencode']) {
        for (const p of ['/sessions/sync', '/sessions', '/sessions/{sid}', '/sessions/{sid}/messages', '/sessions/{sid}/resume']) {
          expect(Object.keys(doc.paths)).toContain(`${prefix}/codebases/{id}${p}`);
        }
      }
      const syncOp = doc.paths['/v1/agent/codebases/{id}/sessions/sync'].post;
      expect(Object.keys(syncOp.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '409']));
      expect(doc.components.schemas.SessionSyncRequestDto.required).toEqual(['worker_id', 'sessions']);
      expect(doc.components.schemas.SessionDetailViewDto).toBeDefined();
    });
  });

  describe('sessions from tasks', () => {
    it('a task that reports its session id makes that session visible before any sync', async () => {
      const task = (await api.post(`/v1/agent/codebases/${codebaseId}/tasks`, { title: 'Write docs', prompt: 'Write the docs', tool: 'claude_code' }).expect(201)).body;
      const claim = await worker.claim(task.id);
      await worker.report(task.id, claim.attempt, 'completed', { session_id: 'from-task-1', result: 'done' }).expect(200);
      // The listener runs after the callback answered: wait for the read side.
      const seen = await eventually(async () => {
        const res = await api.get(`/v1/agent/codebases/${codebaseId}/sessions/from-task-1`);
        return res.status === 200 ? res.body : null;
      }, 'the session of the finished task');
      expect(seen).toMatchObject({ id: 'from-task-1', worker_id: worker.id, agent_type: 'claude_code', title: 'Write docs', summary: 'Write the docs', message_count: 0 });
      // The worker's sync then fills it in.
      await sync([{ id: 'from-task-1', agent_type: 'claude_code', title: 'Docs session', messages: messages('Write the docs') }]).expect(200);
      expect(await detail('from-task-1')).toMatchObject({ title: 'Docs session', message_count: 1 });
    });

    it('a running task shows its session as soon as it reports the id, and the session can be resumed', async () => {
      const task = (await api.post(`/v1/agent/codebases/${codebaseId}/tasks`, { title: 'Long refactor', prompt: 'Refactor the parser', tool: 'claude_code' }).expect(201)).body;
      const claim = await worker.claim(task.id);
      await worker.report(task.id, claim.attempt, 'running', { session_id: 'running-1' }).expect(200);
      const seen = await eventually(async () => {
        const res = await api.get(`/v1/agent/codebases/${codebaseId}/sessions/running-1`);
        return res.status === 200 ? res.body : null;
      }, 'the session of the running task');
      expect(seen).toMatchObject({ id: 'running-1', agent_type: 'claude_code', title: 'Long refactor', summary: 'Refactor the parser' });
      expect((await api.get(`/v1/agent/tasks/${task.id}`).expect(200)).body.status).toBe('running');
      await worker.report(task.id, claim.attempt, 'completed', { result: 'done' }).expect(200);
    });
  });
});
