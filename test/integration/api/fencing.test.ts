import { startTestApi, type TestApi } from '../../support/api-harness';
import { FakeWorker } from '../../support/fake-worker';

/** The claim/fencing protocol of PUT /tasks/:id/status (docs/ARCHITECTURE.md). */
describe('task status callbacks and fencing', () => {
  let api: TestApi;
  let w1: FakeWorker;
  let w2: FakeWorker;
  let codebaseId: string;
  beforeAll(async () => {
    api = await startTestApi();
    w1 = new FakeWorker(api, 'fence-1');
    w2 = new FakeWorker(api, 'fence-2');
    await w1.register();
    await w2.register();
    codebaseId = (await w1.addCodebase('/srv/fencing')).id;
  });
  afterAll(() => api?.close());

  const newTask = async () => (await api.post(`/v1/agent/codebases/${codebaseId}/tasks`, { title: 't', prompt: 'p' }).expect(201)).body as { id: string };
  const status = (id: string, body: Record<string, unknown>) => api.put(`/v1/agent/tasks/${id}/status`, body);

  it('a claim answers the new attempt and where output resumes', async () => {
    const task = await newTask();
    const res = await status(task.id, { worker_id: 'fence-1', attempt: 0, status: 'running' }).expect(200);
    expect(res.body).toEqual({
      task: expect.objectContaining({ id: task.id, status: 'running', attempt: 1, worker_id: 'fence-1', started_at: expect.any(String) }),
      attempt: 1,
      output_offset: 0,
    });
  });

  it('two concurrent claims: exactly one wins', async () => {
    for (let round = 0; round < 5; round++) {
      const task = await newTask();
      const results = await Promise.all([
        status(task.id, { worker_id: 'fence-1', attempt: 0, status: 'running' }),
        status(task.id, { worker_id: 'fence-2', attempt: 0, status: 'running' }),
        status(task.id, { worker_id: 'fence-1', attempt: 0, status: 'running' }),
      ]);
      const codes = results.map((r) => r.status).sort();
      expect(codes).toEqual([200, 409, 409]);
      expect((await api.get(`/v1/agent/tasks/${task.id}`).expect(200)).body.attempt).toBe(1);
    }
  });

  it('claiming twice, a stale attempt, or another worker gets 409', async () => {
    const task = await newTask();
    await status(task.id, { worker_id: 'fence-1', attempt: 0, status: 'running' }).expect(200);
    const twice = await status(task.id, { worker_id: 'fence-2', attempt: 0, status: 'running' }).expect(409);
    expect(twice.body).toMatchObject({ statusCode: 409, error: 'Conflict', message: expect.stringMatching(/belongs to worker fence-1/) });
    const stale = await status(task.id, { worker_id: 'fence-1', attempt: 0, status: 'completed' }).expect(409);
    expect(stale.body.message).toBe('stale attempt 0: the task is at attempt 1');
    await status(task.id, { worker_id: 'fence-2', attempt: 1, status: 'completed' }).expect(409);
    const pendingNotClaimed = await newTask();
    const finishFirst = await status(pendingNotClaimed.id, { worker_id: 'fence-1', attempt: 0, status: 'completed' }).expect(409);
    expect(finishFirst.body.message).toMatch(/claim it with status running first/);
    const wrongGen = await status(pendingNotClaimed.id, { worker_id: 'fence-1', attempt: 3, status: 'running' }).expect(409);
    expect(wrongGen.body.message).toMatch(/stale attempt 3/);
  });

  it('only the worker a task is routed to can claim it', async () => {
    const task = await newTask();
    const res = await status(task.id, { worker_id: 'fence-2', attempt: 0, status: 'running' }).expect(409);
    expect(res.body.message).toBe('task is routed to worker fence-1, not fence-2');
    const stranger = await status(task.id, { worker_id: 'never-registered', attempt: 0, status: 'running' }).expect(409);
    expect(stranger.body.message).toMatch(/routed to worker fence-1/);
  });

  it('a registration task is claimed by any registered worker, not by an unregistered one', async () => {
    const reg = (await api.post('/v1/agent/codebases', { name: 'r', path: '/srv/reg-fence' }).expect(202)).body;
    const res = await status(reg.task_id, { worker_id: 'never-registered', attempt: 0, status: 'running' }).expect(409);
    expect(res.body.message).toMatch(/not registered/);
    await status(reg.task_id, { worker_id: 'fence-2', attempt: 0, status: 'running' }).expect(200);
  });

  it('running again records the session id; completion stores result and counts it', async () => {
    const task = await newTask();
    const before = (await api.get('/v1/agent/workers/fence-1').expect(200)).body.tasks_completed;
    const { attempt } = (await status(task.id, { worker_id: 'fence-1', attempt: 0, status: 'running' }).expect(200)).body;
    const s = await status(task.id, { worker_id: 'fence-1', attempt, status: 'running', session_id: 'ses_ABCdef' }).expect(200);
    expect(s.body).toMatchObject({ id: task.id, status: 'running', session_id: 'ses_ABCdef' });
    const done = await status(task.id, { worker_id: 'fence-1', attempt, status: 'completed', result: 'all good', exit_code: 0 }).expect(200);
    expect(done.body).toMatchObject({ status: 'completed', result: 'all good', exit_code: 0, failure_reason: null, session_id: 'ses_ABCdef', finished_at: expect.any(String) });
    expect((await api.get('/v1/agent/workers/fence-1').expect(200)).body.tasks_completed).toBe(before + 1);
    expect((await api.get('/v1/monitor/workers').expect(200)).body.workers.find((w: { id: string }) => w.id === 'fence-1').tasks_completed).toBe(before + 1);
  });

  it('terminal is terminal: a retried identical callback is harmless, a different one is 409', async () => {
    const task = await newTask();
    const { attempt } = (await status(task.id, { worker_id: 'fence-1', attempt: 0, status: 'running' }).expect(200)).body;
    await status(task.id, { worker_id: 'fence-1', attempt, status: 'completed', result: 'r' }).expect(200);
    const retry = await status(task.id, { worker_id: 'fence-1', attempt, status: 'completed', result: 'r' }).expect(200);
    expect(retry.body.status).toBe('completed');
    const late = await status(task.id, { worker_id: 'fence-1', attempt, status: 'failed' }).expect(409);
    expect(late.body.message).toBe('task already completed');
    await status(task.id, { worker_id: 'fence-1', attempt, status: 'running' }).expect(409);
  });

  it('failure reasons: failed defaults to internal, cancelled to cancelled, given ones are kept; failures are counted', async () => {
    const before = (await api.get('/v1/agent/workers/fence-1').expect(200)).body.tasks_failed;
    const a = await newTask();
    const ca = (await status(a.id, { worker_id: 'fence-1', attempt: 0, status: 'running' }).expect(200)).body.attempt;
    expect((await status(a.id, { worker_id: 'fence-1', attempt: ca, status: 'failed', error: 'x' }).expect(200)).body.failure_reason).toBe('internal');
    const b = await newTask();
    const cbAttempt = (await status(b.id, { worker_id: 'fence-1', attempt: 0, status: 'running' }).expect(200)).body.attempt;
    expect((await status(b.id, { worker_id: 'fence-1', attempt: cbAttempt, status: 'cancelled', failure_reason: 'worker_shutdown' }).expect(200)).body.failure_reason).toBe('worker_shutdown');
    const c = await newTask();
    const cc = (await status(c.id, { worker_id: 'fence-1', attempt: 0, status: 'running' }).expect(200)).body.attempt;
    expect((await status(c.id, { worker_id: 'fence-1', attempt: cc, status: 'failed', failure_reason: 'timeout', exit_code: 124 }).expect(200)).body).toMatchObject({ failure_reason: 'timeout', exit_code: 124 });
    expect((await api.get('/v1/agent/workers/fence-1').expect(200)).body.tasks_failed).toBe(before + 2);
  });

  it('validates the callback body and answers 404 for unknown tasks', async () => {
    const task = await newTask();
    const bad = await status(task.id, { worker_id: 'fence-1', attempt: -1, status: 'pending', failure_reason: 'oops' }).expect(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['attempt', 'failure_reason', 'status']);
    // Numbers too large for their integer column are a 400 naming the field, not a database error.
    const huge = await status(task.id, { worker_id: 'fence-1', attempt: 3000000000, status: 'running' }).expect(400);
    expect(huge.body).toMatchObject({ statusCode: 400, details: [{ field: 'attempt', problems: [expect.stringContaining('2147483647')] }] });
    const exit = await status(task.id, { worker_id: 'fence-1', attempt: 0, status: 'failed', exit_code: 3000000000 }).expect(400);
    expect(exit.body.details).toEqual([expect.objectContaining({ field: 'exit_code' })]);
    await status('task_nope', { worker_id: 'fence-1', attempt: 0, status: 'running' }).expect(404);
    await api.put(`/v1/opencode/tasks/${task.id}/status`, { worker_id: 'fence-1', attempt: 0, status: 'running' }).expect(200);
  });
});
