import { parseTaskJob, scopedChannel, TASK_JOB_NAME, workerControlChannel } from '#contracts';
import { jobIdFor } from '#domain';
import { eventually, startTestApi, type TestApi } from '../../support/api-harness';
import { FakeWorker } from '../../support/fake-worker';
import { QueueInspector } from '../../support/queue-inspector';

/** (created_at desc, id desc): tasks created in the same millisecond are ordered by id. */
const newestFirst = <T extends { id: string; created_at: string }>(rows: T[]): T[] =>
  [...rows].sort((a, b) => b.created_at.localeCompare(a.created_at) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));

describe('tasks', () => {
  let api: TestApi;
  let queues: QueueInspector;
  let worker: FakeWorker;
  let codebaseId: string;
  beforeAll(async () => {
    api = await startTestApi();
    queues = new QueueInspector(api);
    worker = new FakeWorker(api, 'task-worker', ['opencode', 'claude']);
    await worker.register();
    codebaseId = (await worker.addCodebase('/home/user/tasks-project')).id;
  });
  afterAll(async () => {
    await queues?.close();
    await api?.close();
  });

  const newTask = async (body: Record<string, unknown> = {}) =>
    (await api.post(`/v1/agent/codebases/${codebaseId}/tasks`, { title: 'Add tests', prompt: 'Add unit tests for auth', ...body }).expect(201)).body;

  describe('create', () => {
    it('creates a task as the seed shows it, stores it, then enqueues its job', async () => {
      const res = await api
        .post(`/v1/opencode/codebases/${codebaseId}/tasks`, {
          title: 'Add authentication',
          prompt: 'Implement JWT authentication for the API endpoints',
          agent_type: 'build',
          metadata: { model: 'anthropic/claude-sonnet-4-20250514' },
        })
        .set('X-Request-Id', 'corr-create-1')
        .expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^task_[a-z2-7]{16}$/),
        codebase_id: codebaseId,
        title: 'Add authentication',
        prompt: 'Implement JWT authentication for the API endpoints',
        agent_type: 'build',
        tool: null,
        model: 'anthropic/claude-sonnet-4-20250514',
        priority: 0,
        status: 'pending',
        attempt: 0,
        worker_id: 'task-worker',
        session_id: null,
        result: null,
        error: null,
        failure_reason: null,
        exit_code: null,
        metadata: { model: 'anthropic/claude-sonnet-4-20250514' },
        cancel_requested: false,
        created_at: expect.any(String),
        queued_at: expect.any(String),
        started_at: null,
        finished_at: null,
        output_bytes: 0,
        output_truncated: false,
      });
      const job = await queues.job(`codebase-${codebaseId}`, jobIdFor(res.body.id, 0));
      expect(job?.name).toBe(TASK_JOB_NAME);
      expect(parseTaskJob(job!.data)).toMatchObject({
        task_id: res.body.id,
        attempt: 0,
        codebase_id: codebaseId,
        worker_id: 'task-worker',
        agent_type: 'build',
        model: 'anthropic/claude-sonnet-4-20250514',
        correlation_id: 'corr-create-1',
      });
      expect(await queues.queue(`codebase-${codebaseId}`).getGlobalConcurrency()).toBe(1);
    });

    it('accepts the seed shapes without a title or agent_type (resume, model selection)', async () => {
      const resume = await newTask({ title: 'Continue refactoring', prompt: 'Continue the database refactoring', agent_type: undefined, metadata: { resume_session_id: 'sess_xyz789' } });
      expect(resume).toMatchObject({ agent_type: 'build', metadata: { resume_session_id: 'sess_xyz789' } });
      const job = await queues.job(`codebase-${codebaseId}`, jobIdFor(resume.id, 0));
      expect(job!.data.resume_session_id).toBe('sess_xyz789');
      const model = (await api.post(`/v1/agent/codebases/${codebaseId}/tasks`, { prompt: 'Refactor the database module', metadata: { model: 'openai/gpt-4o' } }).expect(201)).body;
      expect(model).toMatchObject({ title: 'Refactor the database module', model: 'openai/gpt-4o' });
    });

    it('creates with codebase_id in the body, with priority and free metadata keys', async () => {
      const res = await api
        .post('/v1/agent/tasks', { codebase_id: codebaseId, title: 't', prompt: 'p', priority: 90, tool: 'claude', metadata: { timeout_s: 60, notify_email: 'dev@example.com', ticket: 'ABC-1' } })
        .expect(201);
      expect(res.body).toMatchObject({ priority: 90, tool: 'claude', metadata: { timeout_s: 60, notify_email: 'dev@example.com', ticket: 'ABC-1' } });
      const job = await queues.job(`codebase-${codebaseId}`, jobIdFor(res.body.id, 0));
      expect(job!.opts.priority).toBe(11);
      expect(job!.data).toMatchObject({ tool: 'claude', timeout_s: 60 });
    });

    it('creates a worker-global task on the worker queue', async () => {
      const res = await api.post('/v1/agent/tasks', { worker_id: 'task-worker', title: 'home', prompt: 'tidy up', agent_type: 'echo' }).expect(201);
      expect(res.body).toMatchObject({ codebase_id: null, worker_id: 'task-worker' });
      expect(await queues.job('worker-task-worker', jobIdFor(res.body.id, 0))).toBeDefined();
    });

    it('validates input with useful messages', async () => {
      const prio = await api.post('/v1/agent/tasks', { codebase_id: codebaseId, title: 't', prompt: 'p', priority: 101 }).expect(400);
      expect(prio.body.message).toMatch(/priority must be an integer between 0 and 100/);
      await api.post('/v1/agent/tasks', { codebase_id: codebaseId, title: 't', prompt: 'p', priority: 1.5 }).expect(400);
      const unknown = await api.post('/v1/agent/tasks', { codebase_id: codebaseId, prompt: 'p', urgency: 'high' }).expect(400);
      expect(unknown.body.message).toMatch(/property urgency should not exist/);
      const noPrompt = await api.post('/v1/agent/tasks', { codebase_id: codebaseId }).expect(400);
      expect(noPrompt.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'prompt' })]));
      const meta = await api.post('/v1/agent/tasks', { codebase_id: codebaseId, prompt: 'p', metadata: { timeout_s: -1 } }).expect(400);
      expect(meta.body.message).toMatch(/metadata.timeout_s must be an integer/);
      await api.post('/v1/agent/tasks', { codebase_id: codebaseId, prompt: 'p', metadata: { notify_email: 'nope' } }).expect(400);
      // A session id no agent could resume is the client's mistake, not a task failing on the worker.
      const resume = await api.post('/v1/agent/tasks', { codebase_id: codebaseId, prompt: 'p', metadata: { resume_session_id: 'ses 1; rm -rf /' } }).expect(400);
      expect(resume.body.message).toContain('metadata.resume_session_id must be an agent session id: 1-200 letters, digits, "_" or "-"');
      // jsonb cannot hold a lone UTF-16 surrogate: a client error, never a 500.
      const surrogate = await api.post('/v1/agent/tasks', { codebase_id: codebaseId, prompt: 'p', metadata: { ticket: 'a\ud800' } }).expect(400);
      expect(surrogate.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      const neither = await api.post('/v1/agent/tasks', { prompt: 'p' }).expect(400);
      expect(neither.body.message).toMatch(/codebase_id is required/);
      await api.post('/v1/agent/tasks', { codebase_id: codebaseId, prompt: 'p', agent_type: 'register_codebase' }).expect(400);
    });

    it('answers 404 for an unknown codebase or worker', async () => {
      expect((await api.post('/v1/agent/codebases/cb_nope/tasks', { prompt: 'p' }).expect(404)).body.message).toBe('codebase cb_nope not found');
      await api.post('/v1/agent/tasks', { codebase_id: 'cb_nope', prompt: 'p' }).expect(404);
      await api.post('/v1/agent/tasks', { worker_id: 'nobody', prompt: 'p' }).expect(404);
    });

    it('answers 422 for a tool the worker did not report, except builtin agent types', async () => {
      const res = await api.post(`/v1/agent/codebases/${codebaseId}/tasks`, { prompt: 'p', tool: 'aider' }).expect(422);
      expect(res.body).toMatchObject({ statusCode: 422, error: 'Unprocessable Entity', message: 'tool "aider" is not installed on worker task-worker (installed: opencode, claude)' });
      await api.post(`/v1/agent/codebases/${codebaseId}/tasks`, { prompt: 'p', tool: 'aider', agent_type: 'echo' }).expect(201);
    });

    it('does not check tools of a worker that reported none', async () => {
      const bare = new FakeWorker(api, 'bare-worker', []);
      await bare.register();
      const cb = await bare.addCodebase('/srv/bare');
      await api.post(`/v1/agent/codebases/${cb.id}/tasks`, { prompt: 'p', tool: 'aider' }).expect(201);
    });
  });

  describe('list', () => {
    let listWorker: FakeWorker;
    let cb: string;
    let ids: string[];
    beforeAll(async () => {
      listWorker = new FakeWorker(api, 'list-worker');
      await listWorker.register();
      cb = (await listWorker.addCodebase('/srv/list')).id;
      ids = [];
      for (let i = 0; i < 7; i++) ids.push((await api.post(`/v1/agent/codebases/${cb}/tasks`, { title: `t${i}`, prompt: 'p' }).expect(201)).body.id);
      await listWorker.claim(ids[0]);
    });

    it('lists newest first with filters', async () => {
      const res = await api.get(`/v1/agent/tasks?codebase_id=${cb}`).expect(200);
      const rows = res.body.tasks as { id: string; created_at: string }[];
      expect(rows.map((t) => t.id).sort()).toEqual([...ids].sort());
      expect(rows).toEqual(newestFirst(rows));
      expect(res.body.next_cursor).toBeNull();
      const running = await api.get(`/v1/agent/tasks?codebase_id=${cb}&status=running`).expect(200);
      expect(running.body.tasks.map((t: { id: string }) => t.id)).toEqual([ids[0]]);
      const pending = await api.get('/v1/opencode/tasks?status=pending&worker_id=list-worker').expect(200);
      expect(pending.body.tasks).toHaveLength(6);
    });

    it('pages with an opaque cursor', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { tasks: { id: string }[]; next_cursor: string | null } } = await api
          .get(`/v1/agent/tasks?codebase_id=${cb}&limit=3${cursor ? `&cursor=${cursor}` : ''}`)
          .expect(200);
        expect(res.body.tasks.length).toBeLessThanOrEqual(3);
        seen.push(...res.body.tasks.map((t) => t.id));
        cursor = res.body.next_cursor;
      } while (cursor);
      const all = (await api.get(`/v1/agent/tasks?codebase_id=${cb}`).expect(200)).body.tasks as { id: string }[];
      expect(seen).toEqual(all.map((t) => t.id));
      expect(new Set(seen).size).toBe(ids.length);
    });

    it('refuses a bad cursor or limit', async () => {
      const bad = await api.get('/v1/agent/tasks?cursor=not-a-cursor').expect(400);
      expect(bad.body.message).toMatch(/Invalid cursor/);
      expect((await api.get('/v1/agent/tasks?limit=501').expect(400)).body.message).toMatch(/limit must be an integer between 1 and 500/);
      await api.get('/v1/agent/tasks?limit=0').expect(400);
      await api.get('/v1/agent/tasks?limit=abc').expect(400);
      await api.get('/v1/agent/tasks?status=done').expect(400);
    });

    it('gets one task, 404 for an unknown one', async () => {
      expect((await api.get(`/v1/agent/tasks/${ids[1]}`).expect(200)).body.id).toBe(ids[1]);
      await api.get('/v1/agent/tasks/task_nope').expect(404);
    });
  });

  describe('cancel', () => {
    it('cancels a pending task at once and removes its job', async () => {
      const task = await newTask();
      expect(await queues.job(`codebase-${codebaseId}`, jobIdFor(task.id, 0))).toBeDefined();
      const res = await api.post(`/v1/agent/tasks/${task.id}/cancel`).expect(200);
      expect(res.body).toMatchObject({ status: 'cancelled', failure_reason: 'cancelled', finished_at: expect.any(String) });
      expect(await queues.job(`codebase-${codebaseId}`, jobIdFor(task.id, 0))).toBeUndefined();
      // The stale delivery of the job can no longer be claimed.
      await api.put(`/v1/agent/tasks/${task.id}/status`, { worker_id: worker.id, attempt: 0, status: 'running' }).expect(409);
    });

    it('asks the worker to stop a running task: pub/sub now, heartbeat until it reports', async () => {
      const task = await newTask();
      const claim = await worker.claim(task.id);
      const control = await queues.listen(scopedChannel(api.config.queuePrefix, workerControlChannel(worker.id)));
      try {
        const res = await api.post(`/v1/agent/tasks/${task.id}/cancel`).expect(202);
        expect(res.body).toMatchObject({ status: 'running', cancel_requested: true });
        await eventually(async () => control.messages.length > 0, 'cancel message');
        expect(control.messages).toContainEqual({ type: 'cancel', task_id: task.id, attempt: claim.attempt });
      } finally {
        control.close();
      }
      const hb = await worker.heartbeat();
      expect(hb.cancels).toContainEqual({ task_id: task.id, attempt: claim.attempt });
      const done = await worker.report(task.id, claim.attempt, 'cancelled').expect(200);
      expect(done.body).toMatchObject({ status: 'cancelled', failure_reason: 'cancelled' });
      expect((await worker.heartbeat()).cancels).not.toContainEqual({ task_id: task.id, attempt: claim.attempt });
    });

    it('answers 409 for a finished task and 404 for an unknown one', async () => {
      const task = await newTask();
      await api.post(`/v1/agent/tasks/${task.id}/cancel`).expect(200);
      const again = await api.post(`/v1/agent/tasks/${task.id}/cancel`).expect(409);
      expect(again.body.message).toBe(`task ${task.id} is already cancelled`);
      await api.post('/v1/agent/tasks/task_nope/cancel').expect(404);
    });
  });

  describe('requeue', () => {
    it('runs a failed task again as a new generation with a new job id', async () => {
      const task = await newTask();
      const claim = await worker.claim(task.id);
      await worker.output(task.id, claim.attempt, 0, 'first run\n').expect(200);
      await worker.report(task.id, claim.attempt, 'failed', { error: 'boom', exit_code: 2, failure_reason: 'agent_exit_nonzero' }).expect(200);
      const res = await api.post(`/v1/agent/tasks/${task.id}/requeue`).expect(200);
      expect(res.body).toMatchObject({ status: 'pending', attempt: 1, result: null, error: null, failure_reason: null, exit_code: null, finished_at: null, cancel_requested: false });
      expect(await queues.job(`codebase-${codebaseId}`, jobIdFor(task.id, 1))).toBeDefined();
      const second = await worker.claim(task.id, 1);
      expect(second).toMatchObject({ attempt: 2, output_offset: 10 });
    });

    it('requeues a cancelled task and refuses pending or running ones', async () => {
      const task = await newTask();
      await api.post(`/v1/agent/tasks/${task.id}/requeue`).expect(409);
      await worker.claim(task.id);
      const running = await api.post(`/v1/agent/tasks/${task.id}/requeue`).expect(409);
      expect(running.body.message).toMatch(/only failed or cancelled tasks can be requeued/);
      const cancelledTask = await newTask();
      await api.post(`/v1/agent/tasks/${cancelledTask.id}/cancel`).expect(200);
      expect((await api.post(`/v1/opencode/tasks/${cancelledTask.id}/requeue`).expect(200)).body.status).toBe('pending');
      await api.post('/v1/agent/tasks/task_nope/requeue').expect(404);
    });
  });
});
