import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive, processGroupAlive } from './process-group';
import { ProcessRunner, type OutputStream } from './process-runner';

const dir = mkdtempSync(join(tmpdir(), 'cf-runner-'));
const runner = new ProcessRunner({ reapGraceMs: 300, closeTimeoutMs: 1000, pollMs: 20 });

function sh(script: string, cwd = dir) {
  const lines: [OutputStream, string][] = [];
  const proc = runner.spawn({ command: '/bin/sh', args: ['-c', script], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, cwd }, (s, l) =>
    lines.push([s, l]),
  );
  return { proc, lines };
}

const alive = processAlive;

async function waitFor(fn: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('ProcessRunner (real subprocesses)', () => {
  it('reports exit codes and reads stdout and stderr line by line', async () => {
    const { proc, lines } = sh('echo one; echo two >&2; printf "no newline"; exit 3');
    const exit = await proc.done;
    expect(exit).toEqual({ code: 3, signal: null, spawnError: null });
    expect(lines).toEqual(expect.arrayContaining([['stdout', 'one'], ['stderr', 'two'], ['stdout', 'no newline']]));
    expect(lines).toHaveLength(3);
  });

  it('joins a line written in pieces and delivers complete lines before the process ends', async () => {
    const { proc, lines } = sh('printf "first\\npar"; sleep 0.3; printf "tial\\n"; sleep 0.3; echo last');
    await waitFor(() => lines.length >= 1);
    expect(lines).toEqual([['stdout', 'first']]); // "par" is held until its newline arrives
    await proc.done;
    expect(lines.map(([, l]) => l)).toEqual(['first', 'partial', 'last']);
  });

  it('keeps multi-byte characters whole', async () => {
    const { proc, lines } = sh('printf "h\\303"; sleep 0.2; printf "\\251llo \\342\\234\\223\\n"');
    await proc.done;
    expect(lines).toEqual([['stdout', 'héllo ✓']]);
  });

  it('runs in the given cwd with only the given environment', async () => {
    const { proc, lines } = sh('pwd; echo "secret=${A2A_AUTH_TOKEN:-unset}"');
    await proc.done;
    expect(lines.map(([, l]) => l)).toEqual([dir, 'secret=unset']);
  });

  it('a process killed by a signal reports the signal', async () => {
    const { proc } = sh('kill -KILL $$');
    expect(await proc.done).toEqual({ code: null, signal: 'SIGKILL', spawnError: null });
  });

  it('ENOENT and EACCES are spawn errors, not crashes', async () => {
    const missing = runner.spawn({ command: join(dir, 'does-not-exist'), args: [], env: {}, cwd: dir }, () => undefined);
    expect((await missing.done).spawnError?.code).toBe('ENOENT');
    const notExec = join(dir, 'not-executable.sh');
    writeFileSync(notExec, '#!/bin/sh\necho hi\n', { mode: 0o644 });
    const denied = runner.spawn({ command: notExec, args: [], env: {}, cwd: dir }, () => undefined);
    expect((await denied.done).spawnError?.code).toBe('EACCES');
  });

  it('terminate() kills the whole group, including a grandchild, even when both ignore SIGTERM', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    const { proc, lines } = sh(`trap '' TERM; sh -c 'trap "" TERM; sleep 60' & echo $! > ${pidFile}; echo started; wait`);
    await waitFor(() => lines.some(([, l]) => l === 'started') && existsSync(pidFile));
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(grandchild)).toBe(true);
    const t0 = Date.now();
    await proc.terminate(300);
    const exit = await proc.done;
    expect(exit.signal).toBe('SIGKILL');
    expect(Date.now() - t0).toBeLessThan(2000);
    await waitFor(() => !alive(grandchild), 1000);
  });

  it('terminate() returns as soon as the group exits on SIGTERM', async () => {
    const { proc, lines } = sh(`trap 'echo got TERM; exit 0' TERM; echo ready; sleep 60 & wait`);
    await waitFor(() => lines.some(([, l]) => l === 'ready'));
    const t0 = Date.now();
    await proc.terminate(10_000);
    await proc.done;
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(lines.map(([, l]) => l)).toContain('got TERM');
  });

  it('leftovers of a finished agent are reaped, so the run ends', async () => {
    const pidFile = join(dir, 'leftover.pid');
    const { proc } = sh(`sleep 60 & echo $! > ${pidFile}; exit 0`);
    const exit = await proc.done;
    expect(exit.code).toBe(0);
    await waitFor(() => !alive(Number(readFileSync(pidFile, 'utf8'))), 1000);
  });

  it('groupGone resolves once leftovers that ignore SIGTERM are gone too (and at once after a spawn error)', async () => {
    const pidFile = join(dir, 'stubborn-leftover.pid');
    const { proc } = sh(`sh -c 'trap "" TERM; sleep 60' & echo $! > ${pidFile}; exit 0`);
    await proc.groupGone;
    expect(processGroupAlive(proc.pid!)).toBe(false);
    const missing = runner.spawn({ command: join(dir, 'does-not-exist'), args: [], env: {}, cwd: dir }, () => undefined);
    await missing.groupGone;
  });
});
