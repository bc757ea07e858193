import type { TaskJob } from '#contracts';
import { agentOutputLines, taskJob } from '../../../../test/fixtures/agent-output';
import type { AgentEvent } from './agent-adapter';
import { GeminiAdapter, geminiErrorMessage } from './gemini.adapter';

const task = (over: Partial<TaskJob> = {}): TaskJob => taskJob({ tool: 'gemini', ...over });

/** Real stdout of Gemini CLI 0.61.0 against the scripted model server (test/model-server). */
const fixture = agentOutputLines;
const parseAll = (lines: string[]): AgentEvent[] => {
  const adapter = new GeminiAdapter('/g');
  return lines.flatMap((l) => adapter.parseLine(l));
};

describe('GeminiAdapter', () => {
  const ctx = { codebasePath: '/srv/app', workerId: 'w1' };

  it('builds a headless yolo run in a trusted workspace, with model, session and approval mode', () => {
    expect(new GeminiAdapter('/opt/agents/bin/gemini').build(task(), ctx)).toEqual({
      command: '/opt/agents/bin/gemini',
      args: ['--prompt=Add unit tests for the auth module', '--output-format', 'stream-json', '--approval-mode', 'yolo'],
      env: { GEMINI_CLI_TRUST_WORKSPACE: 'true' },
      cwd: '/srv/app',
    });
    expect(new GeminiAdapter('/g').build(task({ agent_type: 'plan', model: 'gemini-3.8-flash', resume_session_id: '99e1da3e', prompt: '-x' }), ctx).args).toEqual([
      '--prompt=-x', '--output-format', 'stream-json', '--approval-mode', 'plan', '-m', 'gemini-3.8-flash', '--resume', '99e1da3e',
    ]);
  });

  it('parses a recorded run that writes a file and runs a command; the last message is the result', () => {
    expect(parseAll(fixture('gemini-write-file.jsonl'))).toEqual([
      { type: 'session_started', session_id: '99e1da3e-8058-4dc0-b4ee-360f0c2c9bbc' },
      { type: 'text', text: 'I will create hello.txt.', message_id: 'gemini-1' },
      { type: 'tool_call', name: 'write_file', title: '/tmp/cf-agent-gemini-U6e8s8/work/hello.txt' },
      { type: 'tool_call', name: 'run_shell_command', title: 'echo ran > ran.txt' },
      { type: 'text', text: 'Created hello.txt and ran.txt.', message_id: 'gemini-2' },
      { type: 'usage', input_tokens: 25555, output_tokens: 142 },
      { type: 'result', text: 'Created hello.txt and ran.txt.' },
    ]);
  });

  it('parses a recorded resumed run: the same session id', () => {
    const events = parseAll(fixture('gemini-resume.jsonl'));
    expect(events[0]).toEqual({ type: 'session_started', session_id: '99e1da3e-8058-4dc0-b4ee-360f0c2c9bbc' });
    expect(events.at(-1)).toEqual({ type: 'result', text: 'Earlier I created hello.txt and ran.txt.' });
  });

  it('turns a recorded API error result into an error with the API message', () => {
    const events = parseAll(fixture('gemini-api-error.jsonl'));
    expect(events[0]).toEqual({ type: 'session_started', session_id: 'b4f3db28-925a-465e-9ff7-2f8219920b1f' });
    expect(events.filter((e) => e.type === 'result')).toEqual([]);
    expect(events.at(-1)).toEqual({ type: 'error', message: 'API Error: scripted failure: bad request' });
  });

  it('joins streamed deltas into one message, keeps stderr-like and unknown lines, never throws', () => {
    const adapter = new GeminiAdapter('/g');
    const delta = (t: string) => JSON.stringify({ type: 'message', role: 'assistant', content: t, delta: true });
    expect(adapter.parseLine(delta('Hel'))).toEqual([]);
    expect(adapter.parseLine(delta('lo.'))).toEqual([]);
    expect(adapter.parseLine('YOLO mode is enabled.')).toEqual([
      { type: 'text', text: 'Hello.', message_id: 'gemini-1' },
      { type: 'output', text: 'YOLO mode is enabled.' },
    ]);
    expect(adapter.parseLine('{"type":"tool_result","tool_id":"x","status":"error","error":{"message":"denied"}}')).toEqual([
      { type: 'output', text: 'tool failed: denied' },
    ]);
    expect(adapter.parseLine('{"type":"whatever"}')).toEqual([{ type: 'output', text: '{"type":"whatever"}' }]);
    expect(adapter.parseLine('{bad')).toEqual([{ type: 'output', text: '{bad' }]);
    expect(geminiErrorMessage('[API Error: not json]')).toBe('[API Error: not json]');
    expect(geminiErrorMessage('quota exceeded')).toBe('quota exceeded');
  });
});
