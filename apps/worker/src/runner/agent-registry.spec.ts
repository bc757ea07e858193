import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { type AgentRecord, AgentRegistry, processStartTime } from './agent-registry';
import { processGroupAlive } from './process-group';

const logger = pino({ level: 'silent' });
const children: number[] = [];

/** A `sleep` leading its own process group, as the runner starts agents. */
function sleeper(): number {
  const child = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
  child.unref();
  children.push(child.pid!);
  return child.pid!;
}

async function waitFor(fn: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function newRegistry(): AgentRegistry {
  return new AgentRegistry(mkdtempSync(join(tmpdir(), 'cf-state-')), logger);
}

function plant(registry: AgentRegistry, record: AgentRecord): string {
  mkdirSync(registry.dir, { recursive: true });
  const path = join(registry.dir, `${record.task_id}.json`);
  writeFileSync(path, JSON.stringify(record));
  return path;
}

afterAll(() => {
  for (const pid of children) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

describe('AgentRegistry (real processes, real files)', () => {
  it('records a running agent with its start time and removes the record when asked', async () => {
    const registry = newRegistry();
    registry.ensureDir();
    expect(statSync(registry.dir).mode & 0o777).toBe(0o700);
    const pid = sleeper();
    registry.record({ task_id: 'task-1', attempt: 2, pid, codebase_path: '/srv/app' });
    const path = join(registry.dir, 'task-1.json');
    await waitFor(() => existsSync(path));
    const record = JSON.parse(readFileSync(path, 'utf8'));
    expect(record).toMatchObject({ task_id: 'task-1', attempt: 2, pid, codebase_path: '/srv/app', start_time: processStartTime(pid) });
    expect(new Date(record.started_at).getTime()).not.toBeNaN();
    await registry.remove('task-1', 1); // an older attempt ending late leaves the newer record
    expect(existsSync(path)).toBe(true);
    await registry.remove('task-1', 2);
    expect(existsSync(path)).toBe(false);
    process.kill(-pid, 'SIGKILL');
  });

  it('a removal right after recording still leaves no file behind', async () => {
    const registry = newRegistry();
    const pid = sleeper();
    registry.record({ task_id: 'fast', attempt: 1, pid, codebase_path: '/srv/app' });
    await registry.remove('fast', 1);
    expect(readdirSync(registry.dir)).toEqual([]);
    process.kill(-pid, 'SIGKILL');
  });

  it('the sweep stops a recorded agent that is still running, with everything in its group', async () => {
    const registry = newRegistry();
    // A shell leading its group with a child of its own, as an agent running a tool would.
    const child = spawn('sh', ['-c', 'sleep 60 & wait'], { detached: true, stdio: 'ignore' });
    child.unref();
    const pid = child.pid!;
    children.push(pid);
    registry.record({ task_id: 'orphan', attempt: 1, pid, codebase_path: '/srv/app' });
    await waitFor(() => existsSync(join(registry.dir, 'orphan.json')));

    // A new life of the worker: a new registry on the same state directory.
    const restarted = new AgentRegistry(join(registry.dir, '..'), logger);
    const stopped = await restarted.sweep({ graceMs: 2000, pollMs: 20 });
    expect(stopped).toEqual([pid]);
    expect(processGroupAlive(pid)).toBe(false);
    expect(readdirSync(registry.dir)).toEqual([]);
  });

  it('leaves alone a process whose start time differs from the record (a reused pid)', async () => {
    const registry = newRegistry();
    const pid = sleeper();
    const realStart = processStartTime(pid)!;
    const path = plant(registry, {
      task_id: 'reused',
      attempt: 1,
      pid,
      start_time: String(Number(realStart) - 1),
      codebase_path: '/srv/app',
      started_at: new Date().toISOString(),
    });
    expect(await registry.sweep({ graceMs: 500 })).toEqual([]);
    expect(processGroupAlive(pid)).toBe(true);
    expect(existsSync(path)).toBe(false);
    process.kill(-pid, 'SIGKILL');
  });

  it('deletes stale records (process gone, unreadable file) without stopping anything', async () => {
    const registry = newRegistry();
    const gone = spawn('true', [], { detached: true, stdio: 'ignore' });
    await new Promise((r) => gone.once('exit', r));
    plant(registry, { task_id: 'gone', attempt: 1, pid: gone.pid!, start_time: '1', codebase_path: '/srv/app', started_at: '' });
    writeFileSync(join(registry.dir, 'torn.json'), '{"task_id": "to');
    expect(await registry.sweep({ graceMs: 500 })).toEqual([]);
    expect(readdirSync(registry.dir)).toEqual([]);
  });

  it('a state directory without records (or not yet created) sweeps to nothing', async () => {
    expect(await new AgentRegistry(join(tmpdir(), 'cf-state-missing-', String(process.pid)), logger).sweep({ graceMs: 100 })).toEqual([]);
  });
});
