/**
 * The core loop end to end: the real API and worker processes, real PostgreSQL and Redis,
 * agents played by command-tool scripts (test/e2e/tools).
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Fleet, scriptTool } from './support/fleet';
import { eventually, processesIn, signalZero, sleep } from './support/processes';

jest.setTimeout(120_000);

const tools = {
  writer: scriptTool('write-file.sh'),
  counter: scriptTool('count.sh'),
  failer: scriptTool('fail.sh'),
  stubborn: scriptTool('stubborn-tree.sh'),
  hanger: scriptTool('hang.sh'),
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('core loop (real api + worker processes)', () => {
  const fleet = new Fleet(9);
  let codebaseId: string;
  let codeDir: string;

  beforeAll(async () => {
    await fleet.start();
    codeDir = fleet.codebaseDir('app');
    await fleet.startWorker('e2e-worker-1', { codebases: [{ name: 'app', path: codeDir, description: 'e2e app' }], tools, max_concurrent: 2 });
    const { codebases } = await fleet.client.ok('GET', '/v1/agent/codebases?worker_id=e2e-worker-1');
    codebaseId = codebases.find((c: any) => c.path === codeDir).id;
  });

  afterAll(() => fleet.stop());

  it('runs a task that edits a file in the codebase and reports the result', async () => {
    const created = await fleet.client.ok('POST', `/v1/agent/codebases/${codebaseId}/tasks`, {
      title: 'write a file',
      prompt: 'hello from the e2e test',
      tool: 'writer',
    });
    expect(created.status).toBe('pending');
    const task = await fleet.waitForTask(created.id, ['completed', 'failed']);
    expect(task).toMatchObject({ status: 'completed', worker_id: 'e2e-worker-1', attempt: 1, failure_reason: null });
    expect(readFileSync(join(codeDir, 'agent-output.txt'), 'utf8')).toBe('hello from the e2e test\n');
    const out = await fleet.client.ok('GET', `/v1/agent/tasks/${created.id}/output`);
    const text = out.chunks.map((c: any) => c.data).join('');
    expect(text).toContain('agent: wrote agent-output.txt');
    expect(text).toContain('agent: done');
  });

  it('streams output in order over SSE and ends with a done event', async () => {
    const created = await fleet.client.ok('POST', '/v1/agent/tasks', { codebase_id: codebaseId, title: 'count', prompt: '40', tool: 'counter' });
    const events = await fleet.client.sse(`/v1/agent/tasks/${created.id}/output/stream`);
    const done = events.at(-1)!;
    expect(done.event).toBe('done');
    expect(done.data.status).toBe('completed');
    const text = events.filter((e) => e.event === 'output').map((e) => e.data.data).join('');
    const lines = text.split('\n').filter(Boolean);
    expect(lines).toEqual(Array.from({ length: 40 }, (_, i) => `line ${i + 1}`));
    // Several chunks arrived while the agent was still printing: the tail is live, not a dump at the end.
    expect(events.filter((e) => e.event === 'output').length).toBeGreaterThan(1);
  });

  it('a failing agent ends failed with its exit code and stderr in the error', async () => {
    const created = await fleet.client.ok('POST', `/v1/agent/codebases/${codebaseId}/tasks`, { title: 'fail', prompt: 'the impossible', tool: 'failer' });
    const task = await fleet.waitForTask(created.id, ['completed', 'failed']);
    expect(task).toMatchObject({ status: 'failed', failure_reason: 'agent_exit_nonzero', exit_code: 3 });
    expect(task.error).toMatch(/3/);
  });

  it('cancel stops the agent: no process of its tree survives', async () => {
    const created = await fleet.client.ok('POST', `/v1/agent/codebases/${codebaseId}/tasks`, { title: 'stubborn', prompt: 'x', tool: 'stubborn' });
    const pidsFile = join(codeDir, 'pids.txt');
    await fleet.waitForTask(created.id, ['running']);
    const [agentPid, grandchildPid] = await eventually('the agent to write its pids', async () => {
      if (!existsSync(pidsFile)) return undefined;
      const pids = readFileSync(pidsFile, 'utf8').trim().split(/\s+/).map(Number);
      return pids.length === 2 ? pids : undefined;
    });
    expect(alive(agentPid) && alive(grandchildPid)).toBe(true);

    const cancel = await fleet.client.call('POST', `/v1/agent/tasks/${created.id}/cancel`);
    expect([200, 202]).toContain(cancel.status);
    const task = await fleet.waitForTask(created.id, ['cancelled', 'failed', 'completed']);
    expect(task).toMatchObject({ status: 'cancelled', failure_reason: 'cancelled' });
    expect(alive(agentPid)).toBe(false);
    expect(alive(grandchildPid)).toBe(false);
  });

  it('registers a codebase by path through a worker that has it', async () => {
    const dir = fleet.codebaseDir('by-path');
    const res = await fleet.client.call('POST', '/v1/agent/codebases', { name: 'by-path', path: dir, description: 'registered by path' });
    expect(res.status).toBe(202);
    const reg = await fleet.waitForTask(res.body.task_id, ['completed', 'failed']);
    expect(reg.status).toBe('completed');
    const codebase = await fleet.client.ok('GET', `/v1/agent/codebases/${reg.result}`);
    expect(codebase).toMatchObject({ path: dir, worker_id: 'e2e-worker-1', name: 'by-path' });

    // ...and its tasks run there.
    const task = await fleet.client.ok('POST', `/v1/agent/codebases/${codebase.id}/tasks`, { title: 't', prompt: 'in by-path', tool: 'writer' });
    await fleet.waitForTask(task.id, ['completed']);
    expect(readFileSync(join(dir, 'agent-output.txt'), 'utf8')).toBe('in by-path\n');
  });

  it('registration by a path no worker has fails as invalid_codebase', async () => {
    const res = await fleet.client.call('POST', '/v1/agent/codebases', { name: 'nowhere', path: join(fleet.dir, 'does-not-exist') });
    expect(res.status).toBe(202);
    const reg = await fleet.waitForTask(res.body.task_id, ['completed', 'failed']);
    expect(reg).toMatchObject({ status: 'failed', failure_reason: 'invalid_codebase' });
  });

  it('a pending task survives a Redis flush: the reconciler enqueues it again', async () => {
    // A second worker owns this codebase and is stopped, so the task stays pending meanwhile.
    const dir = fleet.codebaseDir('flush');
    const worker = await fleet.startWorker('e2e-worker-flush', { codebases: [{ name: 'flush', path: dir }], tools });
    const { codebases } = await fleet.client.ok('GET', '/v1/agent/codebases?worker_id=e2e-worker-flush');
    const cb = codebases[0];
    expect((await worker.stop('SIGTERM')).code).toBe(0);

    const task = await fleet.client.ok('POST', `/v1/agent/codebases/${cb.id}/tasks`, { title: 'after flush', prompt: 'survived', tool: 'writer' });
    const redis = new Redis(fleet.redisUrl);
    try {
      expect(await redis.dbsize()).toBeGreaterThan(0);
      await redis.flushdb();
    } finally {
      redis.disconnect();
    }
    await sleep(300);
    await fleet.startWorker('e2e-worker-flush', { codebases: [{ name: 'flush', path: dir }], tools });
    const done = await fleet.waitForTask(task.id, ['completed', 'failed']);
    expect(done.status).toBe('completed');
    expect(readFileSync(join(dir, 'agent-output.txt'), 'utf8')).toBe('survived\n');
  });

  it('a killed worker does not leave its task running: it ends worker_lost, and the restarted worker stops the orphaned agent', async () => {
    const dir = fleet.codebaseDir('lost');
    const stateDir = join(fleet.dir, 'state-lost');
    const config = { codebases: [{ name: 'lost', path: dir }], tools, state_dir: stateDir };
    const worker = await fleet.startWorker('e2e-worker-lost', config);
    const { codebases } = await fleet.client.ok('GET', '/v1/agent/codebases?worker_id=e2e-worker-lost');
    const task = await fleet.client.ok('POST', `/v1/agent/codebases/${codebases[0].id}/tasks`, { title: 'hang', prompt: 'x', tool: 'hanger' });
    await fleet.waitForTask(task.id, ['running']);
    // "running" comes with the claim, before the spawn: wait until the agent runs and the worker has recorded it.
    await eventually('the agent to be recorded', async () => (existsSync(join(stateDir, 'agents', `${task.id}.json`)) ? true : undefined));
    worker.child.kill('SIGKILL');
    // Heartbeats every 1 s, offline after 3 missed.
    const lost = await fleet.waitForTask(task.id, ['failed', 'completed', 'cancelled'], 20_000);
    expect(lost).toMatchObject({ status: 'failed', failure_reason: 'worker_lost' });
    const w = await fleet.client.ok('GET', '/v1/agent/workers/e2e-worker-lost');
    expect(w.status).toBe('offline');

    // A SIGKILLed worker cannot stop its agent: it is still running in the codebase...
    const orphans = processesIn(realpathSync(dir));
    expect(orphans.length).toBeGreaterThan(0);
    // ...until the worker starts again (same id, same state directory) and stops it before taking work.
    const restarted = await fleet.startWorker('e2e-worker-lost', config);
    await restarted.waitForLog(new RegExp(`"task_id":"${task.id}".*left running by an earlier run`));
    for (const pid of orphans) await eventually(`orphan ${pid} to be gone`, async () => (signalZero(pid) === 'ESRCH' ? true : undefined), 10_000);
    expect(processesIn(realpathSync(dir))).toEqual([]);
  });

  it('the worker shuts down cleanly on SIGTERM and the API sees it leave', async () => {
    const dir = fleet.codebaseDir('bye');
    const worker = await fleet.startWorker('e2e-worker-bye', { codebases: [{ name: 'bye', path: dir }], tools });
    const exit = await worker.stop('SIGTERM');
    expect(exit.code).toBe(0);
    const w = await fleet.client.ok('GET', '/v1/agent/workers/e2e-worker-bye');
    expect(w.status).toBe('offline');
  });

  it('SIGTERM with a task still running: the task ends cancelled as worker_shutdown, the worker exits 0', async () => {
    const dir = fleet.codebaseDir('shutdown');
    const worker = await fleet.startWorker('e2e-worker-shutdown', { codebases: [{ name: 'shutdown', path: dir }], tools, shutdown_grace_s: 1 });
    const { codebases } = await fleet.client.ok('GET', '/v1/agent/codebases?worker_id=e2e-worker-shutdown');
    const task = await fleet.client.ok('POST', `/v1/agent/codebases/${codebases[0].id}/tasks`, { title: 'long', prompt: 'x', tool: 'hanger' });
    await fleet.waitForTask(task.id, ['running']);
    const exit = await worker.stop('SIGTERM');
    expect(exit.code).toBe(0);
    const ended = await fleet.client.ok('GET', `/v1/agent/tasks/${task.id}`);
    expect(ended).toMatchObject({ status: 'cancelled', failure_reason: 'worker_shutdown' });
  });

  it('monitor lists the workers in the documented shape', async () => {
    const body = await fleet.client.ok('GET', '/v1/monitor/workers');
    const w = body.workers.find((x: any) => x.id === 'e2e-worker-1');
    expect(Object.keys(w).sort()).toEqual(['codebases', 'id', 'last_heartbeat', 'name', 'status', 'tasks_completed'].sort());
    expect(w.status).toBe('active');
    expect(w.tasks_completed).toBeGreaterThanOrEqual(2);
  });
});
