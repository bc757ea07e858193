/**
 * The HTTP fallback must not hammer the API with a task it cannot claim: a pending task whose
 * claim is refused (here: the API answers "worker not found", as after it forgot the worker)
 * is tried once per poll_interval, not in a list-and-claim loop; a task that ran still frees
 * its slot for the next poll at once.
 */
import { HttpTaskPoller } from '../../../apps/worker/src/lifecycle/http-task-poller';
import { WorkerHarness } from './worker-harness';

jest.setTimeout(30_000);

describe('worker: HTTP fallback claims', () => {
  let h: WorkerHarness;
  afterEach(async () => {
    await h.close();
  });

  it('claims a refused task once per interval while other tasks still run', async () => {
    h = new WorkerHarness();
    await h.startFake({ redisUrl: 'redis://127.0.0.1:1', heartbeatIntervalS: 300 });
    const tool = h.script('echo', 'echo "ran $1"');
    const cbA = h.fake.addCodebase({ id: 'cb-refused', path: h.codebaseDir('a'), worker_id: h.workerId });
    const cbB = h.fake.addCodebase({ id: 'cb-ok', path: h.codebaseDir('b'), worker_id: h.workerId });
    h.fake.addTask('t-refused', { codebase_id: cbA.id, prompt: 'never' });
    h.fake.refuseClaimsFor.add('t-refused');
    h.fake.addTask('t-ok', { codebase_id: cbB.id, prompt: 'one' });
    await h.startWorker({ tools: { echo: { command: tool } }, default_tool: 'echo', poll_interval: 300, max_concurrent: 2 });
    expect(h.daemon.currentMode).toBe('http-fallback');
    const poller = h.app!.get(HttpTaskPoller);

    await h.fake.waitForStatus('t-ok');
    await h.fake.waitFor(() => !poller.pollInFlight, 5000, 'the polls after the run to end');
    // More polls, as stream announcements would start: they list, but do not claim the refused task again.
    for (let i = 0; i < 3; i++) await poller.pollSoon();
    const claimsOf = (id: string) => h.fake.callsTo('PUT', new RegExp(`/tasks/${id}/status$`)).filter((c) => c.body.status === 'running' && !c.body.session_id);
    expect(claimsOf('t-refused')).toHaveLength(1);
    expect(h.fake.task('t-refused').status).toBe('pending');

    // A new task is still claimed and run by the next poll.
    h.fake.addTask('t-next', { codebase_id: cbA.id, prompt: 'two' });
    await poller.pollSoon();
    expect(await h.fake.waitForStatus('t-next')).toMatchObject({ status: 'completed' });
    expect(h.fake.output('t-next')).toBe('ran two\n');
    expect(claimsOf('t-refused')).toHaveLength(1);
  });
});
