import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pino from 'pino';
import { OpencodeSessionReader } from './opencode-sessions';

// A stand-in `opencode` executable answering `session list --format json` and `export <id>`
// with what OpenCode 1.18.33 printed for a run against the scripted model server (trimmed).
function fakeOpencode(dir: string, cwd: string): string {
  const session = (id: string, directory: string, updated: number) => ({ id, title: 'Scripted session', updated, created: updated - 2709, projectId: 'b396af06', directory });
  const list = [session('ses_newer', cwd, 1795440220344), session('ses_other_dir', join(cwd, 'elsewhere'), 1795440230000), session('ses_broken', cwd, 1795440210000)];
  const exported = {
    info: { id: 'ses_newer', slug: 'cosmic-squid', directory: cwd, title: 'Scripted session', version: '1.18.33', time: { created: 1795440217635, updated: 1795440220344 } },
    messages: [
      { info: { role: 'user', time: { created: 1795440217737 }, id: 'msg_u1', sessionID: 'ses_newer' }, parts: [{ type: 'text', text: '"Create hello.txt please"', id: 'prt_1' }] },
      {
        info: { role: 'assistant', time: { created: 1795440218722, completed: 1795440219898 }, finish: 'tool-calls', id: 'msg_a1' },
        parts: [
          { type: 'step-start', id: 'prt_2' },
          { type: 'text', text: 'I will create hello.txt.', id: 'prt_3' },
          { type: 'tool', tool: 'write', callID: 'toolu_1', state: { status: 'completed', input: { filePath: `${cwd}/hello.txt`, content: 'hi\n' }, output: 'Wrote file successfully.' }, id: 'prt_4' },
          { type: 'step-finish', reason: 'tool-calls', id: 'prt_5' },
        ],
      },
      { info: { role: 'assistant', time: { created: 1795440219902 }, id: 'msg_a2' }, parts: [{ type: 'step-start' }, { type: 'tool', tool: 'bash', state: { status: 'completed' } }, { type: 'step-finish' }, { type: 'patch' }] },
      { info: { role: 'assistant', time: { created: 1795440220187 }, id: 'msg_a3' }, parts: [{ type: 'step-start' }, { type: 'text', text: 'Created hello.txt and ran.txt.' }, { type: 'step-finish' }] },
    ],
  };
  writeFileSync(join(dir, 'list.json'), JSON.stringify(list, null, 2));
  writeFileSync(join(dir, 'export.json'), JSON.stringify(exported, null, 2));
  const bin = join(dir, 'opencode');
  writeFileSync(
    bin,
    `#!/usr/bin/env node
const fs = require('fs');
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(join(dir, 'calls.log'))}, process.cwd() + ' ' + args.join(' ') + '\\n');
if (args[0] === 'session' && args[1] === 'list') process.stdout.write(fs.readFileSync(${JSON.stringify(join(dir, 'list.json'))}, 'utf8'));
else if (args[0] === 'export' && args[1] === 'ses_newer') { process.stderr.write('Exporting session: ses_newer'); process.stdout.write(fs.readFileSync(${JSON.stringify(join(dir, 'export.json'))}, 'utf8')); }
else { process.stderr.write('Error: Session not found: ' + args[1]); process.exit(1); }
`,
  );
  chmodSync(bin, 0o755);
  return bin;
}

describe('OpencodeSessionReader', () => {
  let root: string;
  let cwd: string;
  let bin: string;
  const calls = () => readFileSync(join(root, 'calls.log'), 'utf8').trim().split('\n');

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cf-opencode-store-'));
    cwd = join(root, 'work');
    mkdirSync(cwd);
    bin = fakeOpencode(root, cwd);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const reader = () => new OpencodeSessionReader(bin, { PATH: process.env.PATH }, pino({ level: 'silent' }));

  it('lists the sessions of this directory, with the messages `opencode export` prints', async () => {
    const sessions = await reader().list(cwd);
    expect(sessions.map((s) => s.id)).toEqual(['ses_newer', 'ses_broken']);
    expect(sessions[0]).toMatchObject({
      agent_type: 'opencode',
      title: 'Scripted session',
      created_at: new Date(1795440220344 - 2709).toISOString(),
      updated_at: new Date(1795440220344).toISOString(),
      message_count: 4,
      tool_usage: { write: 1, bash: 1 },
    });
    expect(sessions[0].messages!.map((m) => [m.role, m.text, m.tool_calls])).toEqual([
      ['user', '"Create hello.txt please"', undefined],
      ['assistant', 'I will create hello.txt.', ['write']],
      ['assistant', '', ['bash']],
      ['assistant', 'Created hello.txt and ran.txt.', undefined],
    ]);
    // A session whose export fails is still listed, without messages.
    expect(sessions[1].messages).toBeUndefined();
    expect(calls()[0]).toBe(`${cwd} session list --format json -n 200`);
  });

  it('does not export sessions the control plane already has as they are', async () => {
    await reader().list(cwd, { isUnchanged: (id) => id === 'ses_newer' });
    expect(calls().filter((c) => c.includes(' export '))).toEqual([`${cwd} export ses_broken`]);
  });

  it("skips the CLI while OpenCode's store shows no change for this directory", async () => {
    // The store as OpenCode 1.18 keeps it: a SQLite `session` table under $XDG_DATA_HOME/opencode.
    const dataHome = join(root, 'data');
    mkdirSync(join(dataHome, 'opencode'), { recursive: true });
    const db = new DatabaseSync(join(dataHome, 'opencode', 'opencode.db'));
    db.exec('CREATE TABLE session (id text PRIMARY KEY, directory text NOT NULL, time_updated integer NOT NULL)');
    db.prepare('INSERT INTO session VALUES (?, ?, ?)').run('ses_newer', cwd, 1795440220344);
    const cached = new OpencodeSessionReader(bin, { PATH: process.env.PATH, XDG_DATA_HOME: dataHome }, pino({ level: 'silent' }));
    const known = { isUnchanged: (id: string) => id === 'ses_broken' };
    const lists = () => calls().filter((c) => c.includes(' session list ')).length;

    const first = await cached.list(cwd, known);
    expect(lists()).toBe(1);
    expect(await cached.list(cwd, known)).toBe(first);
    expect(lists()).toBe(1);
    db.prepare('UPDATE session SET time_updated = ?').run(1795440299999);
    await cached.list(cwd, known);
    expect(lists()).toBe(2);
    db.close();
  });

  it('asks the CLI every time while some changed session could not be exported', async () => {
    const dataHome = join(root, 'data');
    mkdirSync(join(dataHome, 'opencode'), { recursive: true });
    const db = new DatabaseSync(join(dataHome, 'opencode', 'opencode.db'));
    db.exec('CREATE TABLE session (id text PRIMARY KEY, directory text NOT NULL, time_updated integer NOT NULL)');
    db.close();
    const cached = new OpencodeSessionReader(bin, { PATH: process.env.PATH, XDG_DATA_HOME: dataHome }, pino({ level: 'silent' }));
    await cached.list(cwd);
    await cached.list(cwd);
    expect(calls().filter((c) => c.includes(' session list '))).toHaveLength(2);
  });

  it('rejects when the CLI cannot list (the sync logs it and goes on)', async () => {
    const missing = new OpencodeSessionReader(join(root, 'no-such-opencode'), {}, pino({ level: 'silent' }));
    await expect(missing.list(cwd)).rejects.toThrow();
  });
});
