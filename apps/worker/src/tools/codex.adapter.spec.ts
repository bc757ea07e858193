import type { TaskJob } from '#contracts';
import { agentOutputLines, taskJob } from '../../../../test/fixtures/agent-output';
import type { AgentEvent } from './agent-adapter';
import { CodexAdapter, codexErrorMessage } from './codex.adapter';

const task = (over: Partial<TaskJob> = {}): TaskJob => taskJob({ tool: 'codex', ...over });

/** Real stdout of Codex 0.169.0 against the scripted model server (test/model-server). */
const fixture = agentOutputLines;
const parseAll = (adapter: CodexAdapter, lines: string[]): AgentEvent[] => lines.flatMap((l) => adapter.parseLine(l));

describe('CodexAdapter', () => {
  const adapter = new CodexAdapter('/opt/agents/bin/codex');
  const ctx = { codebasePath: '/srv/app', workerId: 'w1' };

  it('builds `codex exec --json` with the model, and `resume THREAD` for a session', () => {
    expect(adapter.build(task(), ctx)).toEqual({
      command: '/opt/agents/bin/codex',
      args: ['exec', '--json', '--skip-git-repo-check', '--', 'Add unit tests for the auth module'],
      env: {},
      cwd: '/srv/app',
    });
    expect(adapter.build(task({ model: 'gpt-5.5', resume_session_id: '01a207ca-fe08', prompt: '-x' }), ctx).args).toEqual([
      'exec', '--json', '--skip-git-repo-check', '-m', 'gpt-5.5', 'resume', '--', '01a207ca-fe08', '-x',
    ]);
  });

  it('parses a recorded run that writes a file and runs a command', () => {
    expect(parseAll(adapter, fixture('codex-write-file.jsonl'))).toEqual([
      { type: 'session_started', session_id: '01a207ca-fe08-7392-b004-d0e769a6614a' },
      { type: 'text', text: 'I will create hello.txt.', message_id: 'item_0' },
      { type: 'tool_call', name: 'apply_patch', title: 'add /tmp/cf-agent-codex-Z0GRrz/work/hello.txt', status: 'completed' },
      { type: 'tool_call', name: 'exec_command', title: "/bin/bash -lc 'echo ran > ran.txt'", status: 'completed' },
      { type: 'text', text: 'Created hello.txt and ran.txt.', message_id: 'item_3' },
      { type: 'usage', input_tokens: 21633, output_tokens: 110 },
    ]);
  });

  it('parses a recorded resumed run: the same thread id', () => {
    expect(parseAll(adapter, fixture('codex-resume.jsonl'))).toEqual([
      { type: 'session_started', session_id: '01a207ca-fe08-7392-b004-d0e769a6614a' },
      { type: 'text', text: 'Earlier I created hello.txt and ran.txt.', message_id: 'item_0' },
      { type: 'usage', input_tokens: 28987, output_tokens: 127 },
    ]);
  });

  it('turns a recorded API error into error events with the API message', () => {
    const events = parseAll(adapter, fixture('codex-api-error.jsonl'));
    expect(events[0]).toEqual({ type: 'session_started', session_id: '01a207cb-008f-7542-b169-17329b7f43dc' });
    expect(events.slice(1)).toEqual([
      { type: 'error', message: 'scripted failure: bad request' },
      { type: 'error', message: 'scripted failure: bad request' },
    ]);
  });

  it('marks failed commands, keeps item errors and unknown lines as output, never throws', () => {
    const failed = '{"type":"item.completed","item":{"id":"i","type":"command_execution","command":"false","aggregated_output":"","exit_code":1,"status":"failed"}}';
    expect(adapter.parseLine(failed)).toEqual([{ type: 'tool_call', name: 'exec_command', title: 'false', status: 'error' }]);
    expect(adapter.parseLine('{"type":"item.completed","item":{"id":"e","type":"error","message":"Model metadata for x not found"}}')).toEqual([
      { type: 'output', text: '[codex] Model metadata for x not found' },
    ]);
    expect(adapter.parseLine('{"type":"item.started","item":{"id":"r","type":"reasoning","text":"..."}}')).toEqual([]);
    expect(adapter.parseLine('Reading additional input from stdin...')).toEqual([{ type: 'output', text: 'Reading additional input from stdin...' }]);
    expect(adapter.parseLine('{"type":"new.thing"}')).toEqual([{ type: 'output', text: '{"type":"new.thing"}' }]);
    expect(adapter.parseLine('{"type":"item.completed"}')).toEqual([{ type: 'output', text: '{"type":"item.completed"}' }]);
    expect(adapter.parseLine('{oops')).toEqual([{ type: 'output', text: '{oops' }]);
    expect(codexErrorMessage('plain words')).toBe('plain words');
    expect(codexErrorMessage('{broken')).toBe('{broken');
  });
});
