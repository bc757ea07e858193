import type { TaskJob } from '#contracts';
import { taskJob } from '../../../../test/fixtures/agent-output';
import type { AgentEvent } from './agent-adapter';
import { AiderAdapter, aiderHistoryFile } from './aider.adapter';

const task = (over: Partial<TaskJob> = {}): TaskJob => taskJob({ tool: 'aider', task_id: 'a1b2c3', ...over });
const ctx = { codebasePath: '/srv/app', workerId: 'w1' };

/**
 * What `aider --message … --no-pretty --no-stream --yes-always` prints for a task that creates
 * a file. The status lines follow Aider's source: the banner of `Coder.get_announcements`, the
 * usage line of `Coder.calculate_and_show_tokens_and_cost`, the `--yes-always` questions of
 * `InputOutput.confirm_ask` (subject line, then the question answered), "Applied edit to" from
 * `Coder.apply_updates` and "Commit <hash> <message>" from `GitRepo.commit`; the order is the
 * one Aider's own chat history files show.
 */
const WRITE_RUN = [
  'Aider v0.86.1',
  'Main model: anthropic/claude-sonnet-4-20250514 with diff edit format, infinite output',
  'Weak model: anthropic/claude-3-5-haiku-20241022',
  'Git repo: .git with 1 files',
  'Repo-map: using 4096 tokens, auto refresh',
  '',
  'I will create hello.txt with a greeting.',
  '',
  'hello.txt',
  '```',
  '<<<<<<< SEARCH',
  '=======',
  'hello from aider',
  '>>>>>>> REPLACE',
  '```',
  '',
  'Tokens: 2.5k sent, 95 received. Cost: $0.0089 message, $0.0089 session.',
  '',
  'hello.txt',
  'Create new file? (Y)es/(N)o [Yes]: y',
  'Applied edit to hello.txt',
  'Commit 1a2b3c4 feat: Add hello.txt with a greeting',
];

const parseAll = (adapter: AiderAdapter, lines: string[]): AgentEvent[] => [...lines.flatMap((l) => adapter.parseLine(l)), ...adapter.finish()];
const texts = (events: AgentEvent[]) => events.filter((e): e is Extract<AgentEvent, { type: 'text' }> => e.type === 'text');

describe('AiderAdapter', () => {
  it('builds a non-interactive `aider --message` run in the codebase with its own chat history file', () => {
    expect(new AiderAdapter('/opt/aider/bin/aider').build(task(), ctx)).toEqual({
      command: '/opt/aider/bin/aider',
      args: [
        '--message=Add unit tests for the auth module',
        '--yes-always', '--no-pretty', '--no-stream', '--no-check-update', '--no-show-model-warnings', '--no-analytics',
        '--chat-history-file', '.aider.chat.history.aider-a1b2c3.md',
      ],
      env: { PYTHONUNBUFFERED: '1' },
      cwd: '/srv/app',
    });
  });

  it('resumes a session by restoring its chat history file, and passes the model', () => {
    const spec = new AiderAdapter('aider').build(task({ resume_session_id: 'aider-first', model: 'anthropic/claude-sonnet-4-5', prompt: '-n looks like a flag' }), ctx);
    expect(spec.args).toEqual([
      '--message=-n looks like a flag',
      '--yes-always', '--no-pretty', '--no-stream', '--no-check-update', '--no-show-model-warnings', '--no-analytics',
      '--chat-history-file', aiderHistoryFile('aider-first'), '--restore-chat-history',
      '--model', 'anthropic/claude-sonnet-4-5',
    ]);
  });

  it('refuses a session id that is not a plain file name', () => {
    expect(() => new AiderAdapter('aider').build(task({ resume_session_id: '../../etc/passwd' }), ctx)).toThrow(/aider session ids are letters, digits/);
  });

  it('reports the session at the first line, the reply as text, edits as tool calls and the usage line as usage', () => {
    const adapter = new AiderAdapter('aider');
    adapter.build(task(), ctx);
    const events = parseAll(adapter, WRITE_RUN);
    expect(events[0]).toEqual({ type: 'session_started', session_id: 'aider-a1b2c3' });
    expect(events.filter((e) => e.type === 'session_started')).toHaveLength(1);
    expect(texts(events).map((e) => e.text)).toEqual([
      'I will create hello.txt with a greeting.', '', 'hello.txt', '```', '<<<<<<< SEARCH', '=======', 'hello from aider', '>>>>>>> REPLACE', '```',
    ]);
    expect(new Set(texts(events).map((e) => e.message_id))).toEqual(new Set(['aider-1']));
    expect(events).toContainEqual({ type: 'usage', input_tokens: 2500, output_tokens: 95, cost: 0.0089 });
    expect(events).toContainEqual({ type: 'tool_call', name: 'edit', title: 'hello.txt', status: 'completed' });
    const shown = events.filter((e) => e.type === 'output').map((e) => (e as { text: string }).text);
    expect(shown).toEqual([
      'Aider v0.86.1',
      'Main model: anthropic/claude-sonnet-4-20250514 with diff edit format, infinite output',
      'Weak model: anthropic/claude-3-5-haiku-20241022',
      'Git repo: .git with 1 files',
      'Repo-map: using 4096 tokens, auto refresh',
      'Tokens: 2.5k sent, 95 received. Cost: $0.0089 message, $0.0089 session.',
      // The subject of the --yes-always question is not a reply.
      'hello.txt',
      'Create new file? (Y)es/(N)o [Yes]: y',
      'Commit 1a2b3c4 feat: Add hello.txt with a greeting',
    ]);
    expect(adapter.exitError(0)).toBeNull();
  });

  it('numbers replies so that the last one (after a reflection) is the result', () => {
    const adapter = new AiderAdapter('aider');
    adapter.build(task(), ctx);
    const events = parseAll(adapter, [
      'Aider v0.86.1',
      'First try.',
      'Tokens: 1,024 sent, 1,200 cached, 40 received.',
      'Fixed it.',
      'It works now.',
      'Tokens: 12k sent, 60 received. Cost: $0.04 message, $0.05 session.',
    ]);
    expect(texts(events).map((e) => [e.message_id, e.text])).toEqual([
      ['aider-1', 'First try.'],
      ['aider-2', 'Fixed it.'],
      ['aider-2', 'It works now.'],
    ]);
    expect(events).toContainEqual({ type: 'usage', input_tokens: 1024, output_tokens: 40, cost: undefined });
    expect(events).toContainEqual({ type: 'usage', input_tokens: 12000, output_tokens: 60, cost: 0.04 });
  });

  it('a reply still held when the process ends is given out by finish()', () => {
    const adapter = new AiderAdapter('aider');
    adapter.build(task(), ctx);
    expect(texts(['Aider v0.86.1', 'Only an answer.'].flatMap((l) => adapter.parseLine(l)))).toEqual([]);
    expect(adapter.finish()).toEqual([{ type: 'text', text: 'Only an answer.', message_id: 'aider-1' }]);
  });

  it('a model error is an error event, and exit code 0 without any reply still fails the run', () => {
    const adapter = new AiderAdapter('aider');
    adapter.build(task(), ctx);
    const events = parseAll(adapter, [
      'Aider v0.86.1',
      'litellm.AuthenticationError: AnthropicException - {"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}',
      'The API provider is not able to authenticate you. Check your API key.',
    ]);
    expect(events).toContainEqual({ type: 'error', message: expect.stringContaining('litellm.AuthenticationError: AnthropicException') });
    expect(adapter.exitError(0)).toMatch(/^litellm\.AuthenticationError/);
    expect(adapter.exitError(1)).toBeNull();
  });
});
