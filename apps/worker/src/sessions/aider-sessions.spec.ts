import { appendFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { aiderHistoryFile } from '../tools/aider.adapter';
import { AiderSessionReader } from './aider-sessions';

/**
 * A chat history as Aider 0.86 writes it with the flags the worker passes (InputOutput in
 * aider/io.py: run header, `#### ` prompt lines, `> ` tool lines ending in two spaces, the reply
 * between blank lines after its "Tokens:" line). Two runs: the task, then a resume.
 */
const FIRST_RUN = [
  '',
  '# aider chat started at 2025-06-01 10:00:05',
  '',
  '> /usr/local/bin/aider --message=Create hello.txt with a greeting --yes-always --no-pretty --no-stream --chat-history-file .aider.chat.history.aider-task_a.md  ',
  '> Aider v0.86.1  ',
  '> Main model: anthropic/claude-sonnet-4-20250514 with diff edit format, infinite output  ',
  '> Git repo: .git with 1 files  ',
  '> Repo-map: using 4096 tokens, auto refresh  ',
  '',
  '#### Create hello.txt with a greeting  ',
  '> Tokens: 2.5k sent, 95 received. Cost: $0.0089 message, $0.0089 session.  ',
  '',
  'I will create hello.txt.',
  '',
  'hello.txt',
  '```',
  '<<<<<<< SEARCH',
  '=======',
  '#### not a prompt: inside the code block',
  '> not tool output either',
  '>>>>>>> REPLACE',
  '```',
  '',
  '> hello.txt  ',
  '> Create new file? (Y)es/(N)o [Yes]: y  ',
  '> Applied edit to hello.txt  ',
  '> Commit 1a2b3c4 feat: Add hello.txt  ',
];
const SECOND_RUN = [
  '',
  '# aider chat started at 2025-06-01 10:07:40',
  '',
  '> Aider v0.86.1  ',
  '> Restored previous conversation history.  ',
  '',
  '#### Add a second line  ',
  '#### and run the tests  ',
  '> Tokens: 3.1k sent, 60 received. Cost: $0.0101 message, $0.0190 session.  ',
  '',
  'Added a second line to hello.txt.',
  '',
  '> Applied edit to hello.txt  ',
  '> npm test  ',
  '> Run shell command? (Y)es/(N)o/(D)on\'t ask again [Yes]: y  ',
  '> Running npm test  ',
  '> 1 passing  ',
];
const lines = (...runs: string[][]) => runs.flat().join('\n') + '\n';
/** The reader's message ids: the 1-based line a message starts on, in the first run or (after it) the second. */
const inFirst = (i: number) => `L${i + 1}`;
const inSecond = (i: number) => `L${FIRST_RUN.length + i + 1}`;

describe('AiderSessionReader', () => {
  let dir: string;
  const reader = () => new AiderSessionReader(pino({ level: 'silent' }));
  const write = (session: string, content: string, mtime = new Date('2025-06-02T00:00:00Z')) => {
    const path = join(dir, aiderHistoryFile(session));
    writeFileSync(path, content);
    utimesSync(path, mtime, mtime);
    return path;
  };

  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cf-aider-store-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a two-run history: prompts, replies, tool output and the edits and commands as tool calls', async () => {
    write('aider-task_a', lines(FIRST_RUN, SECOND_RUN));
    const [s, ...rest] = await reader().list(dir);
    expect(rest).toEqual([]);
    const firstAt = new Date('2025-06-01T10:00:05').toISOString(); // Aider writes local time
    const secondAt = new Date('2025-06-01T10:07:40').toISOString();
    expect(s).toMatchObject({
      id: 'aider-task_a',
      agent_type: 'aider',
      title: 'Create hello.txt with a greeting',
      created_at: firstAt,
      updated_at: '2025-06-02T00:00:00.000Z',
      message_count: 10,
      tool_usage: { edit: 2, shell: 1 },
    });
    expect(s.messages).toEqual([
      { id: inFirst(3), role: 'tool', created_at: firstAt, text: expect.stringMatching(/^\/usr\/local\/bin\/aider .*\nAider v0\.86\.1\n.*\nRepo-map: using 4096 tokens, auto refresh$/s) },
      { id: inFirst(9), role: 'user', created_at: firstAt, text: 'Create hello.txt with a greeting' },
      { id: inFirst(10), role: 'tool', created_at: firstAt, text: 'Tokens: 2.5k sent, 95 received. Cost: $0.0089 message, $0.0089 session.' },
      {
        id: inFirst(12),
        role: 'assistant',
        created_at: firstAt,
        text: ['I will create hello.txt.', '', 'hello.txt', '```', '<<<<<<< SEARCH', '=======', '#### not a prompt: inside the code block', '> not tool output either', '>>>>>>> REPLACE', '```'].join('\n'),
        tool_calls: ['edit'],
      },
      {
        id: inFirst(23),
        role: 'tool',
        created_at: firstAt,
        text: 'hello.txt\nCreate new file? (Y)es/(N)o [Yes]: y\nApplied edit to hello.txt\nCommit 1a2b3c4 feat: Add hello.txt',
      },
      { id: inSecond(3), role: 'tool', created_at: secondAt, text: 'Aider v0.86.1\nRestored previous conversation history.' },
      { id: inSecond(6), role: 'user', created_at: secondAt, text: 'Add a second line\nand run the tests' },
      { id: inSecond(8), role: 'tool', created_at: secondAt, text: expect.stringMatching(/^Tokens: 3\.1k sent/) },
      { id: inSecond(10), role: 'assistant', created_at: secondAt, text: 'Added a second line to hello.txt.', tool_calls: ['edit', 'shell'] },
      { id: inSecond(12), role: 'tool', created_at: secondAt, text: expect.stringMatching(/^Applied edit to hello\.txt\nnpm test\n.*\nRunning npm test\n1 passing$/s) },
    ]);
  });

  it('keeps message ids when Aider appends another run, so a sync only adds messages', async () => {
    const path = write('aider-task_b', lines(FIRST_RUN));
    const before = (await reader().list(dir))[0].messages!;
    appendFileSync(path, lines(SECOND_RUN));
    const after = (await reader().list(dir))[0].messages!;
    expect(after.slice(0, before.length).map((m) => m.id)).toEqual(before.map((m) => m.id));
    expect(after.length).toBeGreaterThan(before.length);
    expect(new Set(after.map((m) => m.id)).size).toBe(after.length);
  });

  it('reads a file Aider is still writing (cut inside a reply) up to where it ends', async () => {
    const full = lines(FIRST_RUN);
    write('aider-task_c', full.slice(0, full.indexOf('=======') + 3));
    const [s] = await reader().list(dir);
    expect(s.id).toBe('aider-task_c');
    expect(s.title).toBe('Create hello.txt with a greeting');
    expect(s.messages!.map((m) => m.role)).toEqual(['tool', 'user', 'tool', 'assistant']);
    expect(s.messages![3].text).toBe('I will create hello.txt.\n\nhello.txt\n```\n<<<<<<< SEARCH\n===');
    expect(s.tool_usage).toEqual({});
  });

  it('lists only the per-session history files the worker names, newest first', async () => {
    write('aider-task_old', lines(FIRST_RUN), new Date('2025-06-01T12:00:00Z'));
    write('aider-task_new', lines(SECOND_RUN), new Date('2025-06-03T12:00:00Z'));
    // Aider's default history, its input history, names no session id can have, a directory, other markdown.
    writeFileSync(join(dir, '.aider.chat.history.md'), lines(FIRST_RUN));
    writeFileSync(join(dir, '.aider.input.history'), '\n# 2025-06-01 10:00:05.123456\n+Create hello.txt\n');
    writeFileSync(join(dir, '.aider.chat.history.has space.md'), lines(FIRST_RUN));
    writeFileSync(join(dir, '.aider.chat.history.a.b.md'), lines(FIRST_RUN));
    mkdirSync(join(dir, '.aider.chat.history.folder.md'));
    writeFileSync(join(dir, 'NOTES.md'), '#### not aider\n');
    // A run that stopped before the prompt was logged holds no conversation yet.
    write('aider-task_empty', '\n# aider chat started at 2025-06-01 10:00:05\n\n');
    const sessions = await reader().list(dir);
    expect(sessions.map((s) => s.id)).toEqual(['aider-task_new', 'aider-task_old']);
    expect(sessions[0].title).toBe('Add a second line and run the tests');
  });

  it('returns nothing for a codebase directory that does not exist', async () => {
    expect(await reader().list(join(dir, 'missing'))).toEqual([]);
  });

  it('reuses what it parsed while a history file is unchanged and re-reads one Aider appended to', async () => {
    const path = write('aider-task_c', lines(FIRST_RUN));
    const r = reader();
    const first = await r.list(dir);
    expect(await r.list(dir)).toEqual(first);
    expect(r.cache.parsed).toBe(1);
    appendFileSync(path, lines(SECOND_RUN));
    const [grown] = await r.list(dir);
    expect(r.cache.parsed).toBe(2);
    expect(grown.message_count).toBeGreaterThan(first[0].message_count!);
  });
});
