import { spawn } from 'node:child_process';
import type { LaunchSpec } from '../tools/agent-adapter';
import { LineSplitter } from './line-splitter';
import { processGroupAlive } from './process-group';

export type OutputStream = 'stdout' | 'stderr';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process never started (ENOENT, EACCES, bad cwd). */
  spawnError: NodeJS.ErrnoException | null;
}

export interface AgentProcess {
  readonly pid: number | undefined;
  /** Resolves once the process has exited and its output has been read to the end. */
  readonly done: Promise<ProcessExit>;
  /** Resolves once the leader has exited and nothing is left in its group (bounded wait after SIGKILL). */
  readonly groupGone: Promise<void>;
  /** SIGTERM to the whole process group, then SIGKILL to it after `graceMs` if anything is left. */
  terminate(graceMs: number): Promise<void>;
  /** SIGKILL to the whole process group, now. */
  kill(): void;
}

export interface RunnerOptions {
  /** After the leader exits, how long leftovers of its group get between SIGTERM and SIGKILL. */
  reapGraceMs?: number;
  /** After the leader exits and its group is gone, how long to wait for the pipes to close. */
  closeTimeoutMs?: number;
  pollMs?: number;
}

/** Spawns agent processes: no shell, own process group, stdin closed, output read line by line. */
export class ProcessRunner {
  constructor(private readonly opts: RunnerOptions = {}) {}

  /** `onData`: called on every chunk read, whole lines or not (activity for an idle watchdog). */
  spawn(spec: LaunchSpec, onLine: (stream: OutputStream, line: string) => void, onData?: () => void): AgentProcess {
    return new GroupProcess(spec, onLine, onData, {
      reapGraceMs: this.opts.reapGraceMs ?? 2000,
      closeTimeoutMs: this.opts.closeTimeoutMs ?? 5000,
      pollMs: this.opts.pollMs ?? 50,
    });
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

class GroupProcess implements AgentProcess {
  readonly pid: number | undefined;
  readonly done: Promise<ProcessExit>;
  readonly groupGone: Promise<void>;
  private terminating: Promise<void> | null = null;

  constructor(
    spec: LaunchSpec,
    onLine: (stream: OutputStream, line: string) => void,
    onData: (() => void) | undefined,
    private readonly opts: Required<RunnerOptions>,
  ) {
    // detached: the agent leads its own process group, so one signal reaches everything it starts.
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      shell: false,
      windowsHide: true,
    });
    this.pid = child.pid;
    let groupGone!: () => void;
    this.groupGone = new Promise<void>((r) => (groupGone = r));
    if (this.pid === undefined) groupGone();

    for (const name of ['stdout', 'stderr'] as const) {
      const stream = child[name];
      const splitter = new LineSplitter();
      stream.on('data', (data: Buffer) => {
        onData?.();
        for (const line of splitter.push(data)) onLine(name, line);
      });
      stream.on('end', () => {
        for (const line of splitter.end()) onLine(name, line);
      });
      stream.on('error', () => undefined);
    }

    this.done = new Promise<ProcessExit>((resolve) => {
      let settled = false;
      let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
      let closeTimer: NodeJS.Timeout | undefined;
      const settle = (result: ProcessExit): void => {
        if (settled) return;
        settled = true;
        clearTimeout(closeTimer);
        resolve(result);
      };
      child.once('error', (err: NodeJS.ErrnoException) => {
        if (this.pid === undefined) settle({ code: null, signal: null, spawnError: err });
      });
      child.once('exit', (code, signal) => {
        exit = { code, signal };
        // Whatever the agent left running in its group goes with it; then the pipes close.
        const reaped = this.reapGroup();
        // SIGKILL takes a moment to land: wait for it (bounded: a process stuck in D state never dies).
        void reaped.then(() => this.waitGroupGone(this.opts.closeTimeoutMs)).then(groupGone);
        void reaped.then(() => {
          if (settled) return;
          closeTimer = setTimeout(() => {
            // Something outside the group (a setsid daemon) still holds the pipes.
            child.stdout?.destroy();
            child.stderr?.destroy();
            settle({ ...exit!, spawnError: null });
          }, this.opts.closeTimeoutMs);
        });
      });
      child.once('close', (code, signal) => settle({ ...(exit ?? { code, signal }), spawnError: null }));
    });
  }

  terminate(graceMs: number): Promise<void> {
    if (this.pid === undefined) return Promise.resolve();
    this.terminating ??= (async () => {
      this.signalGroup('SIGTERM');
      const deadline = Date.now() + graceMs;
      while (Date.now() < deadline && this.groupAlive()) await sleep(this.opts.pollMs);
      if (this.groupAlive()) this.signalGroup('SIGKILL');
    })();
    return this.terminating;
  }

  kill(): void {
    this.signalGroup('SIGKILL');
  }

  private async reapGroup(): Promise<void> {
    if (!this.groupAlive()) return;
    await this.terminate(this.opts.reapGraceMs);
  }

  private async waitGroupGone(maxMs: number): Promise<void> {
    const deadline = Date.now() + maxMs;
    while (Date.now() < deadline && this.groupAlive()) await sleep(this.opts.pollMs);
  }

  private groupAlive(): boolean {
    return this.pid !== undefined && processGroupAlive(this.pid);
  }

  private signalGroup(signal: NodeJS.Signals): void {
    if (this.pid === undefined) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  }
}
