import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive, processGroupAlive } from '../../../apps/worker/src/runner/process-group';
import { WorkerHarness } from './worker-harness';

jest.setTimeout(30_000);

describe('worker: watchdogs on agent runs', () => {
  let h: WorkerHarness;
  beforeEach(async () => {
    h = new WorkerHarness();
    await h.startFake();
  });
  afterEach(async () => {
    await h.close();
  });

  /** Runs one custom-tool task to its end; returns the task and how long it took. */
  async function run(id: string, body: string, file: Record<string, unknown>, job: { timeout_s?: number } = {}) {
    const repo = h.codebaseDir('repo');
    const tool = h.script(id, body);
    const cb = h.fake.addCodebase({ id: `cb-${id}`, path: repo, worker_id: h.workerId });
    h.fake.addTask(id, { codebase_id: cb.id });
    await h.startWorker({ tools: { [id]: { command: tool, args: [], env: { PID_DIR: h.dir } } }, default_tool: id, cancel_grace_s: 1, ...file });
    const t0 = Date.now();
    await h.enqueueTask(cb.id, { task_id: id, ...job });
    const task = await h.fake.waitForStatus(id, ['completed', 'failed', 'cancelled'], 15_000);
    return { task, elapsed: Date.now() - t0 };
  }

  const pid = (name: string): number => Number(readFileSync(join(h.dir, name), 'utf8'));

  it('a silent agent is stopped after idle_timeout_s with idle_timeout, and its whole process group is gone', async () => {
    const { task, elapsed } = await run(
      'silent',
      `echo $$ > "$PID_DIR/leader.pid"
sh -c 'trap "" TERM; exec sleep 300' &
echo $! > "$PID_DIR/child.pid"
trap '' TERM
while :; do sleep 0.1; done`,
      { idle_timeout_s: 1 },
    );
    expect(task).toMatchObject({ status: 'failed', failure_reason: 'idle_timeout' });
    expect(task.error).toBe('no output for 1 s; the agent was stopped');
    // 1 s of silence, then SIGTERM (ignored), then SIGKILL after cancel_grace_s (1 s).
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(6000);
    expect(existsSync(join(h.dir, 'child.pid'))).toBe(true);
    expect(processAlive(pid('child.pid'))).toBe(false);
    expect(processGroupAlive(pid('leader.pid'))).toBe(false);
    expect(h.fake.output('silent')).toContain('[codefleet] no output for 1 s');
  });

  it('an agent that prints, then goes silent past idle_timeout_s, fails idle_timeout', async () => {
    const { task, elapsed } = await run('quiet', 'echo "starting"; echo "warming up" >&2; sleep 0.5; echo "thinking"; exec sleep 300', { idle_timeout_s: 1 });
    expect(task).toMatchObject({ status: 'failed', failure_reason: 'idle_timeout' });
    expect(elapsed).toBeGreaterThanOrEqual(1500);
    expect(h.fake.output('quiet')).toContain('starting\nwarming up\nthinking\n');
  });

  it('an agent that keeps printing (whole lines, then bare progress dots) is not stopped', async () => {
    const { task, elapsed } = await run(
      'steady',
      `i=0; while [ $i -lt 6 ]; do echo "tick $i"; sleep 0.3; i=$((i+1)); done
i=0; while [ $i -lt 6 ]; do printf "."; sleep 0.3; i=$((i+1)); done
echo; echo "finished"`,
      { idle_timeout_s: 1 },
    );
    expect(task).toMatchObject({ status: 'completed', failure_reason: null });
    expect(elapsed).toBeGreaterThanOrEqual(3000);
    expect(task.result).toContain('finished');
  });

  it('idle_timeout_s 0 disables the idle watchdog', async () => {
    const { task } = await run('nowatch', 'sleep 1.5; echo "late but fine"', { idle_timeout_s: 0 });
    expect(task).toMatchObject({ status: 'completed' });
    expect(task.result).toContain('late but fine');
  });

  it('the wall-clock timeout_s of a task fails it with timeout even while it prints', async () => {
    const { task, elapsed } = await run('slow', `while :; do echo tick; sleep 0.2; done`, { idle_timeout_s: 1 }, { timeout_s: 1 });
    expect(task).toMatchObject({ status: 'failed', failure_reason: 'timeout' });
    expect(task.error).toBe('timed out after 1 s');
    expect(elapsed).toBeLessThan(5000);
  });

  it('an agent still running post_result_grace_s after its result event is stopped and the task completes with that result', async () => {
    const repo = h.codebaseDir('repo');
    // A stand-in `claude` that prints its final result, then hangs (and leaves a child behind).
    const bin = h.script(
      'claude',
      `if [ "$1" = "--version" ]; then echo "2.0.0 (Claude Code)"; exit 0; fi
echo '{"type":"system","subtype":"init","session_id":"sess-hang"}'
echo '{"type":"assistant","message":{"id":"m1","content":[{"type":"text","text":"Working on it."}]}}'
echo '{"type":"result","subtype":"success","is_error":false,"result":"The final answer.","session_id":"sess-hang"}'
sh -c 'exec sleep 300' &
echo $! > "${h.dir}/child.pid"
trap '' TERM
while :; do sleep 0.1; done`,
    );
    const cb = h.fake.addCodebase({ id: 'cb-hang', path: repo, worker_id: h.workerId });
    h.fake.addTask('t-hang', { codebase_id: cb.id });
    await h.startWorker({ tools: { claude_code: { bin } }, cancel_grace_s: 1, post_result_grace_s: 1, idle_timeout_s: 30 });
    const t0 = Date.now();
    await h.enqueueTask(cb.id, { task_id: 't-hang', tool: 'claude_code' });
    const task = await h.fake.waitForStatus('t-hang', ['completed', 'failed', 'cancelled'], 15_000);
    const elapsed = Date.now() - t0;
    expect(task).toMatchObject({ status: 'completed', failure_reason: null, result: 'The final answer.' });
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(6000);
    expect(processAlive(pid('child.pid'))).toBe(false);
  });
});
