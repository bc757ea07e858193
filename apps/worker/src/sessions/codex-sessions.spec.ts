import { appendFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { CodexSessionReader } from './codex-sessions';

// Lines as Codex 0.169.0 wrote them (run against the scripted model server), trimmed of
// fields the reader does not use.
const TID = '01a20893-9b3e-7692-a165-3731fb2ba6cc';
function rollout(cwd: string, tid = TID, ts = '2026-11-23T13:23:41'): string[] {
  const turn = { turn_id: 't1' };
  return [
    { timestamp: `${ts}.069Z`, ordinal: 0, type: 'session_meta', payload: { session_id: tid, id: tid, timestamp: `${ts}.010Z`, cwd, originator: 'codex_exec', cli_version: '0.169.0', source: 'exec', model_provider: 'scripted', base_instructions: { text: 'You are Codex' } } },
    { timestamp: `${ts}.070Z`, ordinal: 1, type: 'event_msg', payload: { type: 'task_started', turn_id: 't1' } },
    { timestamp: `${ts}.102Z`, ordinal: 2, type: 'response_item', payload: { type: 'message', id: 'msg_dev', role: 'developer', content: [{ type: 'input_text', text: '<skills_instructions>\n## Skills' }], internal_chat_message_metadata_passthrough: { ...turn, content_item_metadata: [{ provenance: { type: 'skills' } }] } } },
    { timestamp: `${ts}.102Z`, ordinal: 3, type: 'response_item', payload: { type: 'message', id: 'msg_env', role: 'user', content: [{ type: 'input_text', text: `<environment_context>\n  <cwd>${cwd}</cwd>\n</environment_context>` }], internal_chat_message_metadata_passthrough: { ...turn, content_item_kinds: ['environments.environment_context'], content_item_metadata: [{ provenance: { type: 'harness', hook: false } }] } } },
    { timestamp: `${ts}.106Z`, ordinal: 5, type: 'turn_context', payload: { turn_id: 't1', cwd, model: 'gpt-5.5' } },
    { timestamp: `${ts}.128Z`, ordinal: 7, type: 'response_item', payload: { type: 'message', id: 'msg_user', role: 'user', content: [{ type: 'input_text', text: 'Create hello.txt please' }], internal_chat_message_metadata_passthrough: { ...turn, content_item_kinds: ['user.text'], content_item_metadata: [{ provenance: { type: 'user' } }] } } },
    { timestamp: `${ts}.189Z`, ordinal: 9, type: 'event_msg', payload: { type: 'item_completed', item: { type: 'AgentMessage', id: 'msg_a1', content: [{ type: 'Text', text: 'I will create hello.txt.' }] } } },
    { timestamp: `${ts}.200Z`, ordinal: 10, type: 'response_item', payload: { type: 'message', status: 'completed', id: 'msg_a1', role: 'assistant', content: [{ type: 'output_text', text: 'I will create hello.txt.', annotations: [] }] } },
    { timestamp: `${ts}.205Z`, ordinal: 11, type: 'response_item', payload: { type: 'custom_tool_call', id: 'ctc_1', status: 'completed', call_id: 'call_1', name: 'apply_patch', input: '*** Begin Patch\n*** Add File: hello.txt\n+hi\n*** End Patch\n' } },
    { timestamp: `${ts}.217Z`, ordinal: 14, type: 'response_item', payload: { type: 'custom_tool_call_output', id: 'ctco_1', call_id: 'call_1', output: 'Exit code: 0' } },
    { timestamp: `${ts}.243Z`, ordinal: 16, type: 'response_item', payload: { type: 'function_call', status: 'completed', id: 'fc_1', name: 'exec_command', arguments: '{"cmd":"echo ran > ran.txt"}', call_id: 'call_2' } },
    { timestamp: `${ts}.310Z`, ordinal: 19, type: 'response_item', payload: { type: 'function_call_output', id: 'fco_1', call_id: 'call_2', output: 'Process exited with code 0' } },
    { timestamp: `${ts}.336Z`, ordinal: 22, type: 'response_item', payload: { type: 'message', status: 'completed', id: 'msg_a2', role: 'assistant', content: [{ type: 'output_text', text: 'Created hello.txt and ran.txt.', annotations: [] }] } },
    { timestamp: `${ts}.341Z`, ordinal: 25, type: 'event_msg', payload: { type: 'task_complete', last_agent_message: 'Created hello.txt and ran.txt.' } },
  ].map((l) => JSON.stringify(l));
}

describe('CodexSessionReader', () => {
  let root: string;
  let codexHome: string;
  const reader = () => new CodexSessionReader({ CODEX_HOME: codexHome, HOME: '/nonexistent' }, pino({ level: 'silent' }));
  const write = (day: string, tid: string, lines: string[], mtime?: Date) => {
    const dir = join(codexHome, 'sessions', ...day.split('-'));
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `rollout-${day}T13-23-41-${tid}.jsonl`);
    writeFileSync(file, lines.join('\n') + '\n');
    if (mtime) utimesSync(file, mtime, mtime);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cf-codex-store-'));
    codexHome = join(root, 'codex');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('lists the threads started in the codebase: what the person typed, replies, tool calls', async () => {
    const cwd = join(root, 'work dir');
    write('2026-11-23', TID, rollout(cwd));
    const [s, ...rest] = await reader().list(cwd);
    expect(rest).toEqual([]);
    expect(s).toMatchObject({
      id: TID,
      agent_type: 'codex',
      title: 'Create hello.txt please',
      created_at: '2026-11-23T13:23:41.010Z',
      updated_at: '2026-11-23T13:23:41.341Z',
      message_count: 3,
      tool_usage: { apply_patch: 1, exec_command: 1 },
    });
    expect(s.messages!.map((m) => [m.role, m.text, m.tool_calls])).toEqual([
      ['user', 'Create hello.txt please', undefined],
      ['assistant', 'I will create hello.txt.', ['apply_patch', 'exec_command']],
      ['assistant', 'Created hello.txt and ran.txt.', undefined],
    ]);
  });

  it('skips other directories and a half-written last line; newest first', async () => {
    const cwd = join(root, 'work');
    const lines = rollout(cwd, 'older-thread', '2026-11-22T10:00:00');
    write('2026-11-22', 'older-thread', [...lines, lines[5].slice(0, 30)], new Date('2026-11-22T10:00:01Z'));
    write('2026-11-23', TID, rollout(cwd));
    write('2026-11-23', 'elsewhere-thread', rollout(join(root, 'elsewhere'), 'elsewhere-thread'));
    write('2026-11-23', 'broken-thread', ['{"timestamp":"2026-11-23T13:00:00Z","type":"sess']);
    const sessions = await reader().list(cwd);
    expect(sessions.map((s) => s.id)).toEqual([TID, 'older-thread']);
    expect(sessions[1].message_count).toBe(3);
  });

  it('finds nothing (and does not throw) without a sessions folder', async () => {
    await expect(reader().list(join(root, 'work'))).resolves.toEqual([]);
  });

  it('reuses what it parsed while a rollout is unchanged and re-reads one that grew', async () => {
    const cwd = join(root, 'work');
    write('2026-11-23', TID, rollout(cwd));
    write('2026-11-23', 'elsewhere-thread', rollout(join(root, 'elsewhere'), 'elsewhere-thread'));
    const r = reader();
    const first = await r.list(cwd);
    expect(first.map((s) => s.id)).toEqual([TID]);
    const parsedOnce = r.cache.parsed;
    expect(await r.list(cwd)).toEqual(first);
    expect(r.cache.parsed).toBe(parsedOnce);
    const file = join(codexHome, 'sessions', '2026', '11', '23', `rollout-2026-11-23T13-23-41-${TID}.jsonl`);
    const reply = { timestamp: '2026-11-23T13:30:00.000Z', type: 'response_item', payload: { type: 'message', id: 'msg_a3', role: 'assistant', content: [{ type: 'output_text', text: 'One more thing.' }] } };
    appendFileSync(file, `${JSON.stringify(reply)}\n`);
    const [grown] = await r.list(cwd);
    expect(r.cache.parsed).toBe(parsedOnce + 1);
    expect(grown.message_count).toBe(first[0].message_count! + 1);
  });
});
