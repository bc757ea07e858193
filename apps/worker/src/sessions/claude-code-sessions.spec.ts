import { appendFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SESSION_SYNC_LIMITS } from '#contracts';
import pino from 'pino';
import { ClaudeCodeSessionReader, claudeProjectSlug } from './claude-code-sessions';

// Lines as Claude Code 2.1.330 wrote them (run against the scripted model server), trimmed of
// fields the reader does not use.
const SID = 'd59a65dd-030c-417d-aefa-1c4d95e7206e';
function transcript(cwd: string, sid = SID, prompt = 'Create hello.txt please'): string[] {
  const base = { isSidechain: false, userType: 'external', entrypoint: 'sdk-cli', cwd, sessionId: sid, version: '2.1.330', gitBranch: 'main' };
  return [
    { type: 'queue-operation', operation: 'enqueue', timestamp: '2026-11-23T13:23:35.077Z', sessionId: sid, content: prompt },
    { ...base, parentUuid: null, promptId: 'p1', type: 'user', message: { role: 'user', content: prompt }, uuid: 'u1', timestamp: '2026-11-23T13:23:35.175Z' },
    { ...base, parentUuid: 'u1', attachment: { type: 'date', date: '2026-11-23' }, type: 'attachment', uuid: 'a0', timestamp: '2026-11-23T13:23:35.210Z' },
    { type: 'tools-used', tools: ['Write'], sessionId: sid },
    { ...base, parentUuid: 'a0', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-opus-5-5', content: [{ type: 'text', text: 'I will create hello.txt.' }], stop_reason: 'tool_use' }, type: 'assistant', uuid: 'a1', timestamp: '2026-11-23T13:23:35.300Z' },
    { ...base, parentUuid: 'a1', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-opus-5-5', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Write', input: { file_path: `${cwd}/hello.txt`, content: 'hi\n' } }], stop_reason: 'tool_use' }, type: 'assistant', uuid: 'a2', timestamp: '2026-11-23T13:23:35.301Z' },
    { type: 'last-prompt', lastPrompt: prompt, leafUuid: 'a2', sessionId: sid },
    { ...base, parentUuid: 'a2', promptId: 'p1', type: 'user', message: { role: 'user', content: [{ tool_use_id: 'toolu_1', type: 'tool_result', content: 'File created successfully' }] }, uuid: 'u2', timestamp: '2026-11-23T13:23:35.343Z' },
    { ...base, parentUuid: 'u2', message: { id: 'msg_2', type: 'message', role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_2', name: 'Bash', input: { command: 'echo ran > ran.txt' } }] }, type: 'assistant', uuid: 'a3', timestamp: '2026-11-23T13:23:35.400Z' },
    { ...base, parentUuid: 'a3', type: 'user', message: { role: 'user', content: [{ tool_use_id: 'toolu_2', type: 'tool_result', content: '(Bash completed with no output)', is_error: false }] }, uuid: 'u3', timestamp: '2026-11-23T13:23:35.497Z' },
    { ...base, parentUuid: 'u3', message: { id: 'msg_3', type: 'message', role: 'assistant', content: [{ type: 'text', text: 'Created hello.txt and ran.txt.' }], stop_reason: 'end_turn' }, type: 'assistant', uuid: 'a4', timestamp: '2026-11-23T13:23:35.600Z' },
    { type: 'cost-state', sessionId: sid, totalCostUSD: 0.05832 },
  ].map((l) => JSON.stringify(l));
}

describe('ClaudeCodeSessionReader', () => {
  let root: string;
  let configDir: string;
  const reader = () => new ClaudeCodeSessionReader({ CLAUDE_CONFIG_DIR: configDir, HOME: '/nonexistent' }, pino({ level: 'silent' }));
  const projectDir = (cwd: string) => join(configDir, 'projects', claudeProjectSlug(cwd));
  const write = (cwd: string, sid: string, lines: string[], mtime?: Date) => {
    mkdirSync(projectDir(cwd), { recursive: true });
    const file = join(projectDir(cwd), `${sid}.jsonl`);
    writeFileSync(file, lines.join('\n') + '\n');
    if (mtime) utimesSync(file, mtime, mtime);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cf-claude-store-'));
    configDir = join(root, 'claude');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('names project folders by replacing every character but letters and digits with "-"', () => {
    expect(claudeProjectSlug('/tmp/sessexplore/sb-claude/my.proj_dir/sub-x y')).toBe('-tmp-sessexplore-sb-claude-my-proj-dir-sub-x-y');
  });

  it('lists the sessions of the codebase with messages, tool calls and the first prompt as title', async () => {
    const cwd = join(root, 'my.proj_dir', 'work');
    write(cwd, SID, transcript(cwd));
    const [s, ...rest] = await reader().list(cwd);
    expect(rest).toEqual([]);
    expect(s).toMatchObject({
      id: SID,
      agent_type: 'claude_code',
      title: 'Create hello.txt please',
      created_at: '2026-11-23T13:23:35.175Z',
      updated_at: '2026-11-23T13:23:35.600Z',
      message_count: 4,
      tool_usage: { Write: 1, Bash: 1 },
    });
    expect(s.messages).toEqual([
      { id: 'u1', role: 'user', created_at: '2026-11-23T13:23:35.175Z', text: 'Create hello.txt please' },
      { id: 'a1', role: 'assistant', created_at: '2026-11-23T13:23:35.300Z', text: 'I will create hello.txt.', tool_calls: ['Write'] },
      { id: 'a3', role: 'assistant', created_at: '2026-11-23T13:23:35.400Z', text: '', tool_calls: ['Bash'] },
      { id: 'a4', role: 'assistant', created_at: '2026-11-23T13:23:35.600Z', text: 'Created hello.txt and ran.txt.' },
    ]);
  });

  it('skips a half-written last line, and ignores another directory, even one with the same folder name', async () => {
    const cwd = join(root, 'a_b');
    const lines = transcript(cwd);
    write(cwd, SID, [...lines, lines[lines.length - 2].slice(0, 40)]);
    // `a-b` has the same slug as `a_b`: the cwd in its lines tells them apart.
    write(join(root, 'a-b'), 'other-session', transcript(join(root, 'a-b'), 'other-session'));
    write(join(root, 'elsewhere'), 'elsewhere-session', transcript(join(root, 'elsewhere'), 'elsewhere-session'));
    const sessions = await reader().list(cwd);
    expect(sessions.map((s) => s.id)).toEqual([SID]);
    expect(sessions[0].message_count).toBe(4);
  });

  it('prefers the title Claude Code stored, orders newest first, caps long texts', async () => {
    const cwd = join(root, 'work');
    const long = 'x'.repeat(SESSION_SYNC_LIMITS.maxMessageText + 50);
    write(cwd, 'older', transcript(cwd, 'older', long), new Date('2026-11-01T00:00:00Z'));
    const newer = transcript(cwd, 'newer').map((l) => l.replace(/2026-11-23T13/g, '2026-11-24T13'));
    write(cwd, 'newer', [...newer, JSON.stringify({ type: 'ai-title', aiTitle: 'Create a greeting file', sessionId: 'newer' })]);
    const sessions = await reader().list(cwd);
    expect(sessions.map((s) => [s.id, s.title])).toEqual([
      ['newer', 'Create a greeting file'],
      ['older', expect.stringMatching(/^x+…$/)],
    ]);
    expect(sessions[1].messages![0].text).toHaveLength(SESSION_SYNC_LIMITS.maxMessageText);
  });

  it('finds a long path under its hashed folder name (the first 200 characters, "-", a hash)', async () => {
    const cwd = join(root, 'deep'.repeat(60));
    const dir = join(configDir, 'projects', `${claudeProjectSlug(cwd).slice(0, 200)}-1x2y3z`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${SID}.jsonl`), transcript(cwd).join('\n') + '\n');
    expect((await reader().list(cwd)).map((s) => s.id)).toEqual([SID]);
  });

  it('finds nothing (and does not throw) when the store does not exist', async () => {
    await expect(reader().list(join(root, 'nowhere'))).resolves.toEqual([]);
  });

  it('reuses what it parsed while a file is unchanged, re-reads it when it grows, forgets it when removed', async () => {
    const cwd = join(root, 'work');
    write(cwd, SID, transcript(cwd));
    const r = reader();
    const first = await r.list(cwd);
    expect(await r.list(cwd)).toEqual(first);
    expect(r.cache.parsed).toBe(1);
    const more = { type: 'user', cwd, isSidechain: false, message: { role: 'user', content: 'And a README' }, uuid: 'u9', timestamp: '2026-11-23T13:25:00.000Z' };
    appendFileSync(join(projectDir(cwd), `${SID}.jsonl`), `${JSON.stringify(more)}\n`);
    const [grown] = await r.list(cwd);
    expect(r.cache.parsed).toBe(2);
    expect(grown.message_count).toBe(first[0].message_count! + 1);
    rmSync(join(projectDir(cwd), `${SID}.jsonl`));
    expect(await r.list(cwd)).toEqual([]);
  });

  it('stops between files once the sync is told to stop', async () => {
    const cwd = join(root, 'work');
    write(cwd, SID, transcript(cwd));
    const r = reader();
    await expect(r.list(cwd, { signal: AbortSignal.abort() })).resolves.toEqual([]);
    expect(r.cache.parsed).toBe(0);
  });
});
