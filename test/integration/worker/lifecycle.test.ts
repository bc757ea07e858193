import { OpencodeFixture } from './opencode-fixture';
import { WorkerHarness } from './worker-harness';

jest.setTimeout(30_000);

describe('worker: lifecycle', () => {
  let h: WorkerHarness;
  afterEach(async () => {
    await h.close();
  });

  it('graceful shutdown lets a short task finish, cancels a long one as worker_shutdown, then unregisters', async () => {
    h = new WorkerHarness();
    await h.startFake();
    const a = h.codebaseDir('a');
    const b = h.codebaseDir('b');
    const quick = h.script('quick', 'echo start; sleep 0.3; echo finished');
    const long = h.script('long', 'echo start; exec sleep 300');
    const cbA = h.fake.addCodebase({ id: 'cb-quick', path: a, worker_id: h.workerId });
    const cbB = h.fake.addCodebase({ id: 'cb-long', path: b, worker_id: h.workerId });
    h.fake.addTask('t-quick', { codebase_id: cbA.id });
    h.fake.addTask('t-long', { codebase_id: cbB.id });
    h.fake.addTask('t-later', { codebase_id: cbA.id });
    await h.startWorker({ tools: { quick: { command: quick, args: [] }, long: { command: long, args: [] } }, max_concurrent: 2, shutdown_grace_s: 1, cancel_grace_s: 1 });
    await h.enqueueTask(cbA.id, { task_id: 't-quick', tool: 'quick' });
    await h.enqueueTask(cbB.id, { task_id: 't-long', tool: 'long' });
    await h.fake.waitFor(() => h.fake.output('t-quick').includes('start') && h.fake.output('t-long').includes('start'), 10_000, 'both tasks to start');

    const t0 = Date.now();
    await h.stopWorker();
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(h.fake.task('t-quick')).toMatchObject({ status: 'completed' });
    expect(h.fake.task('t-long')).toMatchObject({ status: 'cancelled', failure_reason: 'worker_shutdown' });
    const unregister = h.fake.callsTo('POST', /\/workers\/[^/]+\/unregister$/);
    expect(unregister).toHaveLength(1);
    expect(unregister[0].at).toBeGreaterThanOrEqual(h.fake.task('t-long').finishedAt!);

    // Nothing is taken after shutdown began.
    await h.enqueueTask(cbA.id, { task_id: 't-later', agent_type: 'noop' });
    await new Promise((r) => setTimeout(r, 200));
    expect(h.fake.task('t-later').status).toBe('pending');
  });

  it('re-registers (and re-registers its codebases) when a heartbeat gets 404', async () => {
    h = new WorkerHarness();
    await h.startFake({ heartbeatIntervalS: 0.2 });
    const repo = h.codebaseDir('repo');
    await h.startWorker({ codebases: [repo] });
    h.fake.forgetWorkerOnce = true;
    await h.fake.waitFor(() => h.fake.callsTo('POST', /\/workers\/register$/).length >= 2, 5000, 're-registration');
    await h.fake.waitFor(() => h.fake.callsTo('POST', /^\/v1\/agent\/codebases$/).length >= 2, 5000, 'codebase re-registration');
    expect(h.fake.workers.has(h.workerId)).toBe(true);
  });

  it('falls back to HTTP polling when Redis is unreachable, with the same claim protocol', async () => {
    h = new WorkerHarness();
    // The server offers a Redis nobody listens on.
    await h.startFake({ redisUrl: 'redis://127.0.0.1:1' });
    const repo = h.codebaseDir('repo');
    const tool = h.script('touch', 'touch "$PWD/ran-$1.txt"; echo "ran $1"');
    const cb = h.fake.addCodebase({ id: 'cb-http', path: repo, worker_id: h.workerId });
    h.fake.addTask('t-http', { codebase_id: cb.id, prompt: 'one' });
    h.fake.addTask('t-taken', { codebase_id: cb.id, prompt: 'two', attempt: 3 });
    await h.startWorker({ tools: { touch: { command: tool } }, default_tool: 'touch' }, ['--poll-interval', '0.2']);
    expect(h.daemon.currentMode).toBe('http-fallback');
    const task = await h.fake.waitForStatus('t-http');
    expect(task).toMatchObject({ status: 'completed', attempt: 1 });
    expect(h.fake.output('t-http')).toBe('ran one\n');
    const poll = h.fake.callsTo('GET', /^\/v1\/agent\/tasks$/)[0];
    expect(poll.query).toEqual({ status: 'pending', worker_id: h.workerId });
  });

  it('runs OpenCode: argv, session id reported the moment it appears, result from the last message', async () => {
    h = new WorkerHarness();
    await h.startFake();
    const repo = h.codebaseDir('repo');
    const opencode = new OpencodeFixture(h.dir);
    const cb = h.fake.addCodebase({ id: 'cb-oc', path: repo, worker_id: h.workerId });
    h.fake.addTask('t-oc', { codebase_id: cb.id });
    await h.startWorker({}, ['--opencode', opencode.bin]);
    await h.enqueueTask(cb.id, { task_id: 't-oc', prompt: 'Add tests', model: 'anthropic/claude-sonnet-4-5', resume_session_id: 'ses_old' });
    const task = await h.fake.waitForStatus('t-oc');
    expect(task).toMatchObject({ status: 'completed', session_id: 'ses_fixture123', result: 'All tests pass.' });
    expect(opencode.argv()).toEqual(['run', '--format', 'json', '--agent', 'build', '-m', 'anthropic/claude-sonnet-4-5', '-s', 'ses_old', '--', 'Add tests']);
    const statuses = h.fake.callsTo('PUT', /\/tasks\/t-oc\/status$/).map((c) => [c.body.status, c.body.session_id]);
    expect(statuses).toEqual([
      ['running', undefined],
      ['running', 'ses_fixture123'],
      ['completed', undefined],
    ]);
    expect(h.fake.output('t-oc')).toBe("Looking at the code.\n▸ bash: npm test\nAll tests pass.\n");
    const register = h.fake.callsTo('POST', /\/workers\/register$/)[0].body;
    expect(register.agents).toEqual([{ name: 'opencode', bin: opencode.bin, version: '1.18.33' }]);
  });
});
