import { taskJob } from '../../../../test/fixtures/agent-output';
import { OpencodeAdapter } from './opencode.adapter';

const task = taskJob;

// Lines as `opencode run --format json` prints them (1.x), shortened.
const SES = 'ses_494719016ffe85dkDMj0FPRbHK';
const LINES = {
  stepStart: `{"type":"step_start","timestamp":1767036059338,"sessionID":"${SES}","part":{"id":"prt_b6b8e7a1c001","sessionID":"${SES}","messageID":"msg_b6b8e6f2f001","type":"step-start","snapshot":"4b825dc642cb6eb9a060e54bf8d69288fbee4904"}}`,
  text: `{"type":"text","timestamp":1767036061012,"sessionID":"${SES}","part":{"id":"prt_b6b8e7d3a001","sessionID":"${SES}","messageID":"msg_b6b8e6f2f001","type":"text","text":"I'll look at the auth module first.","time":{"start":1767036060500,"end":1767036061012}}}`,
  tool: `{"type":"tool_use","timestamp":1767036062200,"sessionID":"${SES}","part":{"id":"prt_b6b8e8201001","sessionID":"${SES}","messageID":"msg_b6b8e6f2f001","type":"tool","callID":"toolu_01","tool":"bash","state":{"status":"completed","input":{"command":"ls src/auth","description":"List auth files"},"output":"login.ts\\n","title":"ls src/auth","metadata":{"exit":0},"time":{"start":1,"end":2}}}}`,
  stepFinish: `{"type":"step_finish","timestamp":1767036063000,"sessionID":"${SES}","part":{"id":"prt_b6b8e8502001","sessionID":"${SES}","messageID":"msg_b6b8e6f2f001","type":"step-finish","reason":"stop","snapshot":"46358aa5","cost":0.0123,"tokens":{"input":17509,"output":3,"reasoning":0,"cache":{"read":0,"write":0}}}}`,
  error: `{"type":"error","timestamp":1767036064000,"sessionID":"${SES}","error":{"name":"APIError","data":{"message":"rate limit exceeded","statusCode":429}}}`,
};

describe('OpencodeAdapter', () => {
  const adapter = new OpencodeAdapter('/home/w/.opencode/bin/opencode');

  it('builds `opencode run --format json` with agent, model, session and the prompt after --', () => {
    expect(adapter.build(task(), { codebasePath: '/srv/app', workerId: 'w1' })).toEqual({
      command: '/home/w/.opencode/bin/opencode',
      args: ['run', '--format', 'json', '--agent', 'build', '--', 'Add unit tests for the auth module'],
      env: {},
      cwd: '/srv/app',
    });
    const full = adapter.build(task({ model: 'anthropic/claude-sonnet-4-5', resume_session_id: SES, prompt: '-rf looks like a flag' }), {
      codebasePath: '/srv/app',
      workerId: 'w1',
    });
    expect(full.args).toEqual(['run', '--format', 'json', '--agent', 'build', '-m', 'anthropic/claude-sonnet-4-5', '-s', SES, '--', '-rf looks like a flag']);
  });

  it('parses realistic lines into normalized events', () => {
    const session = { type: 'session_started', session_id: SES };
    expect(adapter.parseLine(LINES.stepStart)).toEqual([session]);
    expect(adapter.parseLine(LINES.text)).toEqual([session, { type: 'text', text: "I'll look at the auth module first.", message_id: 'msg_b6b8e6f2f001' }]);
    expect(adapter.parseLine(LINES.tool)).toEqual([session, { type: 'tool_call', name: 'bash', title: 'ls src/auth', status: 'completed' }]);
    expect(adapter.parseLine(LINES.stepFinish)).toEqual([session, { type: 'usage', input_tokens: 17509, output_tokens: 3, cost: 0.0123 }]);
    expect(adapter.parseLine(LINES.error)).toEqual([session, { type: 'error', message: 'rate limit exceeded' }]);
  });

  it('keeps what it does not understand as plain output', () => {
    expect(adapter.parseLine('INFO  2026-11-22 service=bus starting')).toEqual([{ type: 'output', text: 'INFO  2026-11-22 service=bus starting' }]);
    expect(adapter.parseLine('{not json')).toEqual([{ type: 'output', text: '{not json' }]);
    expect(adapter.parseLine('{"type":"something_new","x":1}')).toEqual([{ type: 'output', text: '{"type":"something_new","x":1}' }]);
    expect(adapter.parseLine('   ')).toEqual([]);
  });
});
