import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scopedChannel, workerControlChannel } from '#contracts';
import { processAlive } from '../../../apps/worker/src/runner/process-group';
import { waitForJobState, WorkerHarness } from './worker-harness';

jest.setTimeout(30_000);

function expectContiguous(chunks: { offset: number; data: string }[], start: number): void {
  let offset = start;
  for (const c of [...chunks].sort((a, b) => a.offset - b.offset)) {
    expect(c.offset).toBe(offset);
    offset += Buffer.byteLength(c.data);
  }
}

describe('worker: running tasks from codebase queues', () => {
  let h: WorkerHarness;
  beforeEach(async () => {
    h = new WorkerHarness();
    await h.startFake();
  });
  afterEach(async () => {
    await h.close();
  });

  it('runs a command tool that writes a file in the codebase, streams ordered output and reports completed', async () => {
    const repo = h.codebaseDir('repo');
    const tool = h.script(
      'writer',
      `echo "working on: $1"
printf '%s\\n' "$1" > "$PWD/result.txt"
i=1; while [ $i -le 300 ]; do echo "progress line $i with some padding to make it longer"; i=$((i+1)); done
echo "a warning on stderr" >&2
echo "token is $MY_SECRET_TOKEN"
echo "All done: $2"`,
    );
    process.env.MY_SECRET_TOKEN = 'super-secret-value-123';
    try {
      const cb = h.fake.addCodebase({ id: 'cb-repo', path: repo, worker_id: h.workerId });
      // Earlier runs left 42 bytes of output: this run continues at that offset.
      h.fake.addTask('t-write', { codebase_id: cb.id, chunks: [{ offset: 0, data: 'x'.repeat(42), attempt: 0 }] });
      await h.startWorker({ tools: { writer: { command: tool, args: ['{prompt}', '{title}'] } }, default_tool: 'writer' });
      await h.enqueueTask(cb.id, { task_id: 't-write', prompt: 'add a README', title: 'Docs' });

      const task = await h.fake.waitForStatus('t-write');
      expect(task).toMatchObject({ status: 'completed', attempt: 1, worker_id: h.workerId, failure_reason: null });
      expect(readFileSync(join(repo, 'result.txt'), 'utf8')).toBe('add a README\n');

      const chunks = task.chunks.filter((c) => c.attempt === 1);
      expect(chunks.length).toBeGreaterThan(0);
      expectContiguous(chunks, 42);
      const out = chunks.map((c) => c.data).join('');
      expect(out.startsWith('working on: add a README\nprogress line 1 ')).toBe(true);
      expect(out).toContain('progress line 300 ');
      expect(out).toContain('a warning on stderr\n');
      expect(out).toContain('token is [REDACTED]\n');
      expect(out).not.toContain('super-secret-value-123');
      expect(task.result).toContain('All done: Docs');

      // Every callback carried the claim's attempt; the output arrived before the final status.
      const statusCalls = h.fake.callsTo('PUT', /\/tasks\/t-write\/status$/);
      expect(statusCalls.map((c) => [c.body.status, c.body.attempt])).toEqual([
        ['running', 0],
        ['completed', 1],
      ]);
      const lastOutput = Math.max(...h.fake.callsTo('POST', /\/tasks\/t-write\/output$/).map((c) => c.at));
      expect(lastOutput).toBeLessThanOrEqual(statusCalls[1].at);
      expect(h.fake.callsTo('POST', /\/tasks\/t-write\/output$/).every((c) => c.body.attempt === 1 && c.body.worker_id === h.workerId)).toBe(true);
    } finally {
      delete process.env.MY_SECRET_TOKEN;
    }
  });

  it('exit code 3 is failed with agent_exit_nonzero, exit_code 3 and the last stderr line', async () => {
    const repo = h.codebaseDir('repo');
    const tool = h.script('fail', 'echo "trying"; echo "fatal: could not find thing" >&2; exit 3');
    const cb = h.fake.addCodebase({ id: 'cb-fail', path: repo, worker_id: h.workerId });
    h.fake.addTask('t-fail', { codebase_id: cb.id });
    await h.startWorker({ tools: { fail: { command: tool } } });
    await h.enqueueTask(cb.id, { task_id: 't-fail', tool: 'fail' });
    const task = await h.fake.waitForStatus('t-fail');
    expect(task).toMatchObject({ status: 'failed', failure_reason: 'agent_exit_nonzero', exit_code: 3 });
    expect(task.error).toBe('agent exited with code 3: fatal: could not find thing');
    expect(h.fake.output('t-fail')).toContain('trying\n');
  });

  it('a stale claim (409) runs nothing', async () => {
    const repo = h.codebaseDir('repo');
    const tool = h.script('touch', 'touch "$PWD/ran.txt"');
    const cb = h.fake.addCodebase({ id: 'cb-stale', path: repo, worker_id: h.workerId });
    // The task moved on to attempt 5 (requeued, or claimed by another delivery): job attempt 0 is stale.
    h.fake.addTask('t-stale', { codebase_id: cb.id, attempt: 5 });
    await h.startWorker({ tools: { touch: { command: tool } }, default_tool: 'touch' });
    await h.enqueueTask(cb.id, { task_id: 't-stale' });
    const queue = h.queue(`codebase-${cb.id}`);
    await h.fake.waitFor(() => h.fake.callsTo('PUT', /\/tasks\/t-stale\/status$/).length > 0);
    const state = await waitForJobState(queue, 't-stale.0', 'completed');
    expect(state.returnvalue).toEqual({ dropped: true });
    const calls = h.fake.calls.filter((c) => c.path.includes('/tasks/t-stale'));
    expect(calls.map((c) => [c.method, c.status])).toEqual([['PUT', 409]]);
    expect(existsSync(join(repo, 'ran.txt'))).toBe(false);
    expect(h.fake.task('t-stale')).toMatchObject({ status: 'pending', attempt: 5 });
  });

  it('a cancel on the control channel stops the whole process group and reports cancelled', async () => {
    const repo = h.codebaseDir('repo');
    const pidFile = join(h.dir, 'grandchild.pid');
    const tool = h.script(
      'stubborn',
      `trap 'echo "got TERM, ignoring it"' TERM
sh -c 'trap "" TERM; exec sleep 300' &
echo $! > "$PID_FILE"
echo ready
while :; do sleep 0.1; done`,
    );
    const cb = h.fake.addCodebase({ id: 'cb-cancel', path: repo, worker_id: h.workerId });
    h.fake.addTask('t-cancel', { codebase_id: cb.id });
    await h.startWorker({ tools: { stubborn: { command: tool, args: [], env: { PID_FILE: pidFile } } }, default_tool: 'stubborn', cancel_grace_s: 1 });
    await h.enqueueTask(cb.id, { task_id: 't-cancel' });
    await h.fake.waitFor(() => h.fake.output('t-cancel').includes('ready\n') && existsSync(pidFile), 10_000, 'the tool to start');
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(processAlive(grandchild)).toBe(true);

    const t0 = Date.now();
    await h.redis.publish(scopedChannel(h.prefix, workerControlChannel(h.workerId)), JSON.stringify({ type: 'cancel', task_id: 't-cancel', attempt: 1 }));
    const task = await h.fake.waitForStatus('t-cancel', ['cancelled', 'failed', 'completed'], 5000);
    const elapsed = Date.now() - t0;
    expect(task).toMatchObject({ status: 'cancelled', failure_reason: 'cancelled' });
    // SIGTERM was handled (and ignored), then the group got SIGKILL after cancel_grace_s (1 s).
    expect(elapsed).toBeLessThan(3000);
    expect(h.fake.output('t-cancel')).toContain('got TERM, ignoring it');
    expect(processAlive(grandchild)).toBe(false);
  });

  it('a cancel in the heartbeat response works too, and a cancel for another attempt is ignored', async () => {
    const repo = h.codebaseDir('repo');
    const tool = h.script('sleeper', 'echo ready; exec sleep 300');
    const cb = h.fake.addCodebase({ id: 'cb-hb', path: repo, worker_id: h.workerId });
    h.fake.addTask('t-hb', { codebase_id: cb.id });
    await h.startWorker({ tools: { sleeper: { command: tool, args: [] } }, default_tool: 'sleeper', cancel_grace_s: 1 });
    await h.enqueueTask(cb.id, { task_id: 't-hb' });
    await h.fake.waitFor(() => h.fake.output('t-hb').includes('ready'), 10_000, 'the tool to start');
    await h.redis.publish(scopedChannel(h.prefix, workerControlChannel(h.workerId)), JSON.stringify({ type: 'cancel', task_id: 't-hb', attempt: 7 }));
    await new Promise((r) => setTimeout(r, 300));
    expect(h.fake.task('t-hb').status).toBe('running');
    h.fake.cancels = [{ task_id: 't-hb', attempt: 1 }];
    const task = await h.fake.waitForStatus('t-hb', ['cancelled'], 5000);
    expect(task.failure_reason).toBe('cancelled');
    // The heartbeat listed the running task with its claim attempt while it ran.
    const beats = h.fake.callsTo('POST', /\/heartbeat$/);
    expect(beats.some((b) => b.body.running_tasks?.some((r: { task_id: string; attempt: number }) => r.task_id === 't-hb' && r.attempt === 1))).toBe(true);
  });

  it('with max_concurrent 1 and two codebases, never two claims at once', async () => {
    const a = h.codebaseDir('a');
    const b = h.codebaseDir('b');
    const tool = h.script('slow', 'echo "start $1"; sleep 0.4; echo "end $1"');
    const cbA = h.fake.addCodebase({ id: 'cb-a', path: a, worker_id: h.workerId });
    const cbB = h.fake.addCodebase({ id: 'cb-b', path: b, worker_id: h.workerId });
    for (const id of ['t-a1', 't-a2']) h.fake.addTask(id, { codebase_id: cbA.id });
    for (const id of ['t-b1', 't-b2']) h.fake.addTask(id, { codebase_id: cbB.id });
    await h.startWorker({ tools: { slow: { command: tool } }, default_tool: 'slow', max_concurrent: 1 });
    await Promise.all([
      h.enqueueTask(cbA.id, { task_id: 't-a1' }),
      h.enqueueTask(cbB.id, { task_id: 't-b1' }),
      h.enqueueTask(cbA.id, { task_id: 't-a2' }),
      h.enqueueTask(cbB.id, { task_id: 't-b2' }),
    ]);
    const tasks = await Promise.all(['t-a1', 't-a2', 't-b1', 't-b2'].map((id) => h.fake.waitForStatus(id, ['completed'], 15_000)));
    const spans = tasks.map((t) => [t.claimedAt!, t.finishedAt!] as const).sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
  });

  it('builtin echo and noop complete without spawning; an unknown tool is agent_not_found', async () => {
    const repo = h.codebaseDir('repo');
    const cb = h.fake.addCodebase({ id: 'cb-builtin', path: repo, worker_id: h.workerId });
    for (const id of ['t-echo', 't-noop', 't-unknown']) h.fake.addTask(id, { codebase_id: cb.id });
    await h.startWorker({});
    await h.enqueueTask(cb.id, { task_id: 't-echo', agent_type: 'echo', prompt: 'hello from echo' });
    await h.enqueueTask(cb.id, { task_id: 't-noop', agent_type: 'noop' });
    await h.enqueueTask(cb.id, { task_id: 't-unknown', tool: 'no-such-tool' });
    expect(await h.fake.waitForStatus('t-echo')).toMatchObject({ status: 'completed', result: 'hello from echo' });
    expect(h.fake.output('t-echo')).toBe('hello from echo\n');
    expect(await h.fake.waitForStatus('t-noop')).toMatchObject({ status: 'completed', result: '' });
    const unknown = await h.fake.waitForStatus('t-unknown');
    expect(unknown).toMatchObject({ status: 'failed', failure_reason: 'agent_not_found' });
    expect(unknown.error).toContain('tool "no-such-tool" is not configured');
  });

  it('a codebase whose directory is gone fails invalid_codebase', async () => {
    const cb = h.fake.addCodebase({ id: 'cb-gone', path: join(h.dir, 'vanished'), worker_id: h.workerId });
    h.fake.addTask('t-gone', { codebase_id: cb.id });
    await h.startWorker({});
    await h.enqueueTask(cb.id, { task_id: 't-gone', agent_type: 'echo' });
    const task = await h.fake.waitForStatus('t-gone');
    expect(task).toMatchObject({ status: 'failed', failure_reason: 'invalid_codebase' });
    expect(task.error).toContain(join(h.dir, 'vanished'));
  });

  it('an invalid job payload fails the job and the worker goes on', async () => {
    const repo = h.codebaseDir('repo');
    const cb = h.fake.addCodebase({ id: 'cb-bad', path: repo, worker_id: h.workerId });
    h.fake.addTask('t-after', { codebase_id: cb.id });
    await h.startWorker({});
    const queue = h.queue(`codebase-${cb.id}`);
    await queue.add('task', { task_id: 42 }, { jobId: 'bad.0' });
    await h.enqueueTask(cb.id, { task_id: 't-after', agent_type: 'noop' });
    const failed = await waitForJobState(queue, 'bad.0', 'failed');
    expect(failed.failedReason).toContain('task_id must be a non-empty string');
    expect((await h.fake.waitForStatus('t-after')).status).toBe('completed');
  });
});
