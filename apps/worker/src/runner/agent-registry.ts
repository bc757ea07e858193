import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { processGroupAlive } from './process-group';

/** What the worker writes for each running agent, so its next life can find it. */
export interface AgentRecord {
  task_id: string;
  attempt: number;
  /** The agent leads its own process group: pid = pgid. */
  pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot): tells the agent from a reused pid. */
  start_time: string;
  codebase_path: string;
  started_at: string;
}

export interface SweepOptions {
  /** Between SIGTERM and SIGKILL to an orphan's group. */
  graceMs: number;
  pollMs?: number;
}

const HAS_PROC = existsSync('/proc/self/stat');

/** Field 22 (starttime) of /proc/<pid>/stat, or null when the process is gone. */
export function processStartTime(pid: number, stat?: string): string | null {
  let text = stat;
  if (text === undefined) {
    try {
      text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return null;
    }
  }
  // "pid (comm) state ...": comm may hold spaces and ")"; fields after it start at field 3.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return fields[22 - 3] ?? null;
}

async function startTimeOf(pid: number): Promise<string | null> {
  try {
    return processStartTime(pid, await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * One small file per running agent under `<state_dir>/agents`. A worker that died without
 * stopping its agents (kill -9, OOM) finds them there at its next start and stops them, so
 * an orphan never edits a codebase alongside the next task.
 */
export class AgentRegistry {
  readonly dir: string;
  /** A removal waits for the write of the same task, which may still be in flight. */
  private readonly writes = new Map<string, Promise<void>>();
  private warnedNoProc = false;

  constructor(
    stateDir: string,
    private readonly logger: Logger,
  ) {
    this.dir = join(stateDir, 'agents');
  }

  /** Creates the state directory (0700) and its agents folder; throws when that is impossible. */
  ensureDir(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  /** Fire and forget: the agent already runs; a failure is logged, never thrown. */
  record(entry: Omit<AgentRecord, 'start_time' | 'started_at'>): void {
    if (!HAS_PROC) return; // without /proc no start time: the sweep could not tell a reused pid
    const key = this.key(entry.task_id);
    const write = (async () => {
      const start_time = await startTimeOf(entry.pid);
      if (start_time === null) return; // already gone: nothing can be orphaned
      const record: AgentRecord = { ...entry, start_time, started_at: new Date().toISOString() };
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await writeFile(join(this.dir, key), JSON.stringify(record), { mode: 0o600 });
    })().catch((err: Error) => this.logger.warn({ task_id: entry.task_id, err: err.message }, 'could not record the running agent'));
    this.writes.set(key, write);
  }

  /** Call once the agent's process group is gone; a record of another attempt of the task stays. */
  async remove(taskId: string, attempt: number): Promise<void> {
    const key = this.key(taskId);
    const pending = this.writes.get(key);
    if (pending) await pending;
    if (this.writes.get(key) === pending) this.writes.delete(key);
    const path = join(this.dir, key);
    const record = await readRecord(path);
    if (record && record.attempt !== attempt) return;
    await unlink(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') this.logger.warn({ task_id: taskId, err: err.message }, 'could not remove the agent record');
    });
  }

  /**
   * At start, before taking work: stop every recorded agent still running (SIGTERM to its
   * group, SIGKILL after the grace) and delete every record. Returns the pids it stopped.
   */
  async sweep(opts: SweepOptions): Promise<number[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.json'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    if (names.length === 0) return [];
    if (!HAS_PROC) {
      if (!this.warnedNoProc) this.logger.warn({ dir: this.dir }, 'no /proc on this system: agents left by an earlier run are not checked');
      this.warnedNoProc = true;
      return [];
    }
    const orphans: AgentRecord[] = [];
    for (const name of names) {
      const path = join(this.dir, name);
      const record = await readRecord(path);
      if (record && (await isStillRunning(record))) orphans.push(record);
      else await unlink(path).catch(() => undefined);
    }
    await Promise.all(orphans.map((o) => this.stop(o, opts)));
    return orphans.map((o) => o.pid);
  }

  private async stop(o: AgentRecord, opts: SweepOptions): Promise<void> {
    this.logger.warn(
      { task_id: o.task_id, attempt: o.attempt, pid: o.pid, codebase_path: o.codebase_path, started_at: o.started_at },
      'an agent left running by an earlier run of this worker is still alive: stopping its process group',
    );
    signalGroup(o.pid, 'SIGTERM');
    const deadline = Date.now() + opts.graceMs;
    while (Date.now() < deadline && processGroupAlive(o.pid)) await sleep(opts.pollMs ?? 50);
    if (processGroupAlive(o.pid)) signalGroup(o.pid, 'SIGKILL');
    await unlink(join(this.dir, this.key(o.task_id))).catch(() => undefined);
  }

  /** Task ids are UUIDs; anything else is made safe for a file name. */
  private key(taskId: string): string {
    return `${taskId.replace(/[^A-Za-z0-9._-]/g, '_')}.json`;
  }
}

async function readRecord(path: string): Promise<AgentRecord | null> {
  try {
    const r = JSON.parse(await readFile(path, 'utf8')) as AgentRecord;
    return Number.isInteger(r.pid) && r.pid > 1 && typeof r.start_time === 'string' ? r : null;
  } catch {
    return null; // unreadable or cut short by a crash mid-write: nothing to trust
  }
}

/**
 * The leader with the recorded start time, or (leader gone) members left in its group: Linux
 * does not hand out a pid while it still names a process group, so such a group is the agent's.
 */
async function isStillRunning(r: AgentRecord): Promise<boolean> {
  const now = await startTimeOf(r.pid);
  if (now !== null) return now === r.start_time;
  return processGroupAlive(r.pid);
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: already gone
  }
}
