/** metadata.idle_timeout_s of a task (carried in its job) overrides the worker's idle_timeout_s. */
import { WorkerHarness } from './worker-harness';

jest.setTimeout(30_000);

describe("worker: a task's own idle timeout", () => {
  let h: WorkerHarness;
  beforeEach(async () => {
    h = new WorkerHarness();
    await h.startFake();
  });
  afterEach(async () => {
    await h.close();
  });

  async function run(id: string, body: string, workerIdleS: number, taskIdleS: number) {
    const tool = h.script(id, body);
    const cb = h.fake.addCodebase({ id: `cb-${id}`, path: h.codebaseDir('repo'), worker_id: h.workerId });
    h.fake.addTask(id, { codebase_id: cb.id });
    await h.startWorker({ tools: { [id]: { command: tool, args: [] } }, default_tool: id, cancel_grace_s: 1, idle_timeout_s: workerIdleS });
    await h.enqueueTask(cb.id, { task_id: id, idle_timeout_s: taskIdleS });
    return h.fake.waitForStatus(id, ['completed', 'failed', 'cancelled'], 15_000);
  }

  it('a shorter task limit stops a silent agent the worker would have let run, and the error names that limit', async () => {
    const task = await run('short', 'echo "thinking"; exec sleep 300', 1800, 1);
    expect(task).toMatchObject({ status: 'failed', failure_reason: 'idle_timeout', error: 'no output for 1 s; the agent was stopped' });
    expect(h.fake.output('short')).toContain('thinking\n[codefleet] no output for 1 s; the agent was stopped\n');
  });

  it('idle_timeout_s 0 on the task turns the watchdog off even when the worker has one', async () => {
    const task = await run('off', 'sleep 1.5; echo "late but fine"', 1, 0);
    expect(task).toMatchObject({ status: 'completed', failure_reason: null });
    expect(task.result).toContain('late but fine');
  });
});
