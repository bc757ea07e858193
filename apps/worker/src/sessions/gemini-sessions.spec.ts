import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SESSION_SYNC_LIMITS } from '#contracts';
import pino from 'pino';
import { GeminiSessionReader } from './gemini-sessions';

// Records as Gemini CLI 0.61.0 wrote them (run against the scripted model server), trimmed
// of fields the reader does not use.
const SID = '8fa48d10-1719-401b-bc86-eca46574cf00';
function chat(cwd: string, sid = SID): string[] {
  const t = (ms: string) => `2026-11-23T13:23:43.${ms}Z`;
  const first = { id: 'g1', timestamp: t('786'), type: 'gemini', content: 'I will create hello.txt.', thoughts: [], model: 'gemini-3.8-flash' };
  const second = { id: 'g2', timestamp: t('800'), type: 'gemini', content: '', thoughts: [], model: 'gemini-3.8-flash' };
  return [
    { sessionId: sid, projectHash: createHash('sha256').update(cwd).digest('hex'), startTime: t('667'), lastUpdated: t('667'), kind: 'main' },
    { $set: { messages: [{ id: 'ctx', timestamp: t('668'), type: 'user', content: [{ text: `<session_context>\nThis is the Gemini CLI.\n  - ${cwd}` }] }] } },
    { id: 'u1', timestamp: t('713'), type: 'user', content: [{ text: 'Create hello.txt please' }] },
    { $set: { lastUpdated: t('713') } },
    first,
    { ...first, toolCalls: [{ id: 'write_file__call_1', name: 'write_file', args: { file_path: `${cwd}/hello.txt`, content: 'hi\n' }, status: 'success' }] },
    { id: 'u2', timestamp: t('790'), type: 'user', content: [{ functionResponse: { id: 'write_file__call_1', name: 'write_file', response: { output: 'ok' } } }] },
    second,
    { ...second, toolCalls: [{ id: 'run_shell_command__call_2', name: 'run_shell_command', args: { command: 'echo ran > ran.txt' }, status: 'success' }] },
    { id: 'u3', timestamp: t('843'), type: 'user', content: [{ functionResponse: { id: 'run_shell_command__call_2', name: 'run_shell_command', response: { output: '' } } }] },
    { id: 'g3', timestamp: t('851'), type: 'gemini', content: 'Created hello.txt and ran.txt.', thoughts: [], model: 'gemini-3.8-flash' },
    { $set: { lastUpdated: t('851') } },
  ].map((l) => JSON.stringify(l));
}

describe('GeminiSessionReader', () => {
  let root: string;
  let home: string;
  const reader = () => new GeminiSessionReader({ HOME: home }, pino({ level: 'silent' }));
  const gemini = () => join(home, '.gemini');
  const writeChat = (project: string, cwd: string, name: string, lines: string[]) => {
    mkdirSync(join(gemini(), 'tmp', project, 'chats'), { recursive: true });
    writeFileSync(join(gemini(), 'tmp', project, '.project_root'), cwd);
    writeFileSync(join(gemini(), 'tmp', project, 'chats', name), lines.join('\n') + '\n');
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cf-gemini-store-'));
    home = join(root, 'home');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('finds the project folder through projects.json and replays the chat log', async () => {
    const cwd = join(root, 'my.proj_dir', 'sub-x y');
    mkdirSync(gemini(), { recursive: true });
    writeFileSync(join(gemini(), 'projects.json'), JSON.stringify({ projects: { [cwd]: 'sub-x-y' } }, null, 2));
    writeChat('sub-x-y', cwd, 'session-2026-11-23T13-23-8fa48d10.jsonl', chat(cwd));
    const [s, ...rest] = await reader().list(cwd);
    expect(rest).toEqual([]);
    expect(s).toMatchObject({
      id: SID,
      agent_type: 'gemini',
      title: 'Create hello.txt please',
      created_at: '2026-11-23T13:23:43.667Z',
      updated_at: '2026-11-23T13:23:43.851Z',
      message_count: 4,
      tool_usage: { write_file: 1, run_shell_command: 1 },
    });
    expect(s.messages!.map((m) => [m.role, m.text, m.tool_calls])).toEqual([
      ['user', 'Create hello.txt please', undefined],
      ['assistant', 'I will create hello.txt.', ['write_file']],
      ['assistant', '', ['run_shell_command']],
      ['assistant', 'Created hello.txt and ran.txt.', undefined],
    ]);
  });

  it('without a registry entry, finds the folder by its .project_root marker; skips other projects and a cut-off line', async () => {
    const cwd = join(root, 'work');
    const lines = chat(cwd);
    writeChat('work-1', cwd, 'session-2026-11-23T13-23-8fa48d10.jsonl', [...lines, lines[2].slice(0, 25)]);
    writeChat('work', join(root, 'other', 'work'), 'session-2026-11-23T13-20-aaaaaaaa.jsonl', chat(join(root, 'other', 'work'), 'aaaaaaaa-other'));
    const sessions = await reader().list(cwd);
    expect(sessions.map((s) => s.id)).toEqual([SID]);
  });

  it('honours a rewind and a summary title', async () => {
    const cwd = join(root, 'work');
    writeChat('work', cwd, 'session-2026-11-23T13-23-8fa48d10.jsonl', [
      ...chat(cwd),
      JSON.stringify({ $rewindTo: 'g3' }),
      JSON.stringify({ $set: { summary: 'Greeting file' } }),
    ]);
    const [s] = await reader().list(cwd);
    expect(s.title).toBe('Greeting file');
    expect(s.messages!.map((m) => m.text)).not.toContain('Created hello.txt and ran.txt.');
  });

  it('finds nothing (and does not throw) without a ~/.gemini', async () => {
    await expect(reader().list(join(root, 'work'))).resolves.toEqual([]);
  });

  it('reuses what it parsed while a chat file is unchanged and re-reads one that changed', async () => {
    const cwd = join(root, 'work');
    writeChat('work', cwd, 'session-2026-11-23T13-23-8fa48d10.jsonl', chat(cwd));
    const r = reader();
    const first = await r.list(cwd);
    expect(await r.list(cwd)).toEqual(first);
    expect(r.cache.parsed).toBe(1);
    appendFileSync(join(gemini(), 'tmp', 'work', 'chats', 'session-2026-11-23T13-23-8fa48d10.jsonl'), `${JSON.stringify({ $set: { summary: 'Greeting file' } })}\n`);
    const [changed] = await r.list(cwd);
    expect(r.cache.parsed).toBe(2);
    expect(changed.title).toBe('Greeting file');
  });

  it('keeps only the text a message may carry, not whole function responses', async () => {
    const cwd = join(root, 'work');
    const long = 'x'.repeat(SESSION_SYNC_LIMITS.maxMessageText * 3);
    const lines = chat(cwd);
    lines.push(JSON.stringify({ id: 'g9', timestamp: '2026-11-23T13:24:00.000Z', type: 'gemini', content: [{ text: long }, { functionResponse: { response: { output: long } } }] }));
    writeChat('work', cwd, 'session-2026-11-23T13-23-8fa48d10.jsonl', lines);
    const [s] = await reader().list(cwd);
    const last = s.messages!.at(-1)!;
    expect(last.text!.length).toBe(SESSION_SYNC_LIMITS.maxMessageText);
    expect(last.text!.endsWith('…')).toBe(true);
  });
});
