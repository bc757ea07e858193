import type { TaskJob } from '#contracts';
import { agentOutputLines, taskJob } from '../../../../test/fixtures/agent-output';
import type { AgentEvent } from './agent-adapter';
import { ClaudeCodeAdapter } from './claude-code.adapter';

const task = (over: Partial<TaskJob> = {}): TaskJob => taskJob({ tool: 'claude_code', ...over });

/** Real stdout of Claude Code 2.1.330 against the scripted model server (test/model-server). */
const fixture = agentOutputLines;

const parseAll = (adapter: ClaudeCodeAdapter, lines: string[]): AgentEvent[] => lines.flatMap((l) => adapter.parseLine(l));
const without = (events: AgentEvent[], type: AgentEvent['type']) => events.filter((e) => e.type !== type);

describe('ClaudeCodeAdapter', () => {
  const adapter = new ClaudeCodeAdapter('/opt/agents/bin/claude', false);
  const ctx = { codebasePath: '/srv/app', workerId: 'w1' };

  it('builds `claude -p` with stream-json output, bypassed permissions and the offline env', () => {
    expect(adapter.build(task(), ctx)).toEqual({
      command: '/opt/agents/bin/claude',
      args: ['-p', '--output-format', 'stream-json', '--verbose', '--permission-mode', 'bypassPermissions', '--', 'Add unit tests for the auth module'],
      env: {
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_TELEMETRY: '1',
        DISABLE_AUTOUPDATER: '1',
        DISABLE_ERROR_REPORTING: '1',
      },
      cwd: '/srv/app',
    });
  });

  it('adds the model, the session to resume, a named agent, and IS_SANDBOX as root', () => {
    const spec = new ClaudeCodeAdapter('/c', true).build(
      task({ model: 'claude-sonnet-4-5', resume_session_id: 'ca0add77-f5c1', agent_type: 'reviewer', prompt: '-rf looks like a flag' }),
      ctx,
    );
    expect(spec.args).toEqual([
      '-p', '--output-format', 'stream-json', '--verbose',
      '--permission-mode', 'bypassPermissions', '--agent', 'reviewer',
      '--model', 'claude-sonnet-4-5', '--resume', 'ca0add77-f5c1', '--', '-rf looks like a flag',
    ]);
    expect(spec.env.IS_SANDBOX).toBe('1');
    expect(adapter.build(task({ agent_type: 'plan' }), ctx).args).toEqual(
      expect.arrayContaining(['--permission-mode', 'plan']),
    );
    expect(adapter.build(task({ agent_type: 'plan' }), ctx).args).not.toContain('bypassPermissions');
  });

  it('parses a recorded run that writes a file and runs a command', () => {
    const events = parseAll(adapter, fixture('claude-write-file.jsonl'));
    const sessions = events.filter((e) => e.type === 'session_started');
    expect(sessions[0]).toEqual({ type: 'session_started', session_id: 'ca0add77-f5c1-472d-b832-7cd07ee461a7' });
    expect(new Set(sessions.map((s) => (s as { session_id: string }).session_id)).size).toBe(1);
    expect(without(events, 'session_started')).toEqual([
      { type: 'text', text: 'I will create hello.txt.', message_id: 'msg_9e75538c0ee91325741c12f5' },
      { type: 'tool_call', name: 'Write', title: '/tmp/cf-agent-claude-NEr1aA/work/hello.txt' },
      { type: 'tool_call', name: 'Bash', title: 'echo ran > ran.txt' },
      { type: 'text', text: 'Created hello.txt and ran.txt.', message_id: 'msg_7a78b4897c486446083dc389' },
      { type: 'usage', input_tokens: 14033, output_tokens: 116, cost: 0.058452000000000004 },
      { type: 'result', text: 'Created hello.txt and ran.txt.' },
    ]);
  });

  it('parses a recorded resumed run: same session, the final text as result', () => {
    const events = parseAll(adapter, fixture('claude-resume.jsonl'));
    expect(events[0]).toEqual({ type: 'session_started', session_id: 'ca0add77-f5c1-472d-b832-7cd07ee461a7' });
    expect(events.filter((e) => e.type === 'result')).toEqual([{ type: 'result', text: 'Earlier I created hello.txt and ran.txt.' }]);
    expect(events.some((e) => e.type === 'output' || e.type === 'error')).toBe(false);
  });

  it('turns a recorded API error run into an error event, not a result', () => {
    const events = parseAll(adapter, fixture('claude-api-error.jsonl'));
    expect(events[0]).toEqual({ type: 'session_started', session_id: '3b055251-70d4-46ee-8a18-4ef4c16d7a4a' });
    expect(events.filter((e) => e.type === 'result')).toEqual([]);
    expect(events.filter((e) => e.type === 'error')).toEqual([{ type: 'error', message: 'API Error: 400 scripted failure: bad request' }]);
  });

  it('reports retries briefly and keeps what it does not understand as plain output', () => {
    const retry = '{"type":"system","subtype":"api_retry","attempt":2,"max_retries":10,"retry_delay_ms":1200,"error_status":529,"session_id":"s1"}';
    expect(adapter.parseLine(retry)).toEqual([
      { type: 'session_started', session_id: 's1' },
      { type: 'output', text: 'API error 529, retrying (attempt 2 of 10)' },
    ]);
    expect(adapter.parseLine('Error: something on stdout')).toEqual([{ type: 'output', text: 'Error: something on stdout' }]);
    expect(adapter.parseLine('{not json')).toEqual([{ type: 'output', text: '{not json' }]);
    expect(adapter.parseLine('{"type":"something_new","x":1}')).toEqual([{ type: 'output', text: '{"type":"something_new","x":1}' }]);
    expect(adapter.parseLine('[1,2]')).toEqual([{ type: 'output', text: '[1,2]' }]);
    expect(adapter.parseLine('  ')).toEqual([]);
    expect(adapter.parseLine('{"type":"result","subtype":"error_max_turns","is_error":true,"session_id":"s1"}')).toEqual([
      { type: 'session_started', session_id: 's1' },
      { type: 'error', message: 'claude ended with error_max_turns' },
    ]);
  });
});
