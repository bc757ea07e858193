/**
 * The aider tool through the worker's real path (queue, claim, runner, output, status), with a
 * shell script standing in for the `aider` binary (tools.aider.bin): Aider itself is a Python
 * package that cannot be installed here. The script prints what Aider prints (see
 * apps/worker/src/tools/aider.adapter.spec.ts for where the lines come from), edits the
 * codebase, and keeps its chat history in the file the worker names, as Aider does.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkerHarness } from './worker-harness';

jest.setTimeout(30_000);

/** A stand-in `aider`: records its argv, answers from the restored history when resuming. */
const FAKE_AIDER = (argsFile: string) => `
if [ "$1" = "--version" ]; then echo "aider 0.86.1"; exit 0; fi
printf '%s\\n' "$@" > "${argsFile}"
history=""; restore=""; message=""
while [ $# -gt 0 ]; do
  case "$1" in
    --chat-history-file) history="$2"; shift ;;
    --restore-chat-history) restore=1 ;;
    --message=*) message="\${1#--message=}" ;;
  esac
  shift
done
echo "Aider v0.86.1"
echo "Main model: anthropic/claude-sonnet-4-20250514 with diff edit format, infinite output"
echo "Git repo: .git with 1 files"
echo "Repo-map: using 4096 tokens, auto refresh"
if [ -n "$restore" ] && [ -f "$history" ]; then echo "Restored previous conversation history."; fi
echo
if [ "$message" = "fail" ]; then
  echo 'litellm.AuthenticationError: AnthropicException - {"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}'
  echo "The API provider is not able to authenticate you. Check your API key."
  exit 0
fi
if [ -n "$restore" ]; then
  echo "Earlier you asked: $(grep '^#### ' "$history" | head -n 1 | cut -c 6-)"
else
  echo "I will create hello.txt."
  echo
  echo "hello.txt"
  echo '\`\`\`'
  echo "hello from aider"
  echo '\`\`\`'
fi
echo
echo "Tokens: 2.5k sent, 95 received. Cost: \\$0.0089 message, \\$0.0089 session."
if [ -z "$restore" ]; then
  echo
  echo "hello.txt"
  echo "Create new file? (Y)es/(N)o [Yes]: y"
  echo "hello from aider" > hello.txt
  echo "Applied edit to hello.txt"
  echo "Commit 1a2b3c4 feat: Add hello.txt"
fi
echo "#### $message" >> "$history"
`;

describe('worker: the aider tool end to end through the runner (stand-in binary)', () => {
  let h: WorkerHarness;
  let repo: string;
  let argsFile: string;

  beforeAll(async () => {
    h = new WorkerHarness();
    await h.startFake();
    repo = h.codebaseDir('repo');
    argsFile = join(h.dir, 'aider-args.txt');
    const bin = h.script('aider', FAKE_AIDER(argsFile));
    h.fake.addCodebase({ id: 'cb-aider', path: repo, worker_id: h.workerId });
    await h.startWorker({ tools: { aider: { bin } }, cancel_grace_s: 1 });
  });
  afterAll(async () => {
    await h.close();
  });

  async function run(id: string, job: Record<string, unknown>) {
    h.fake.addTask(id, { codebase_id: 'cb-aider' });
    await h.enqueueTask('cb-aider', { task_id: id, tool: 'aider', ...job });
    return h.fake.waitForStatus(id, ['completed', 'failed', 'cancelled'], 15_000);
  }

  it('runs aider in the codebase: the file is written, the reply is the result, status lines and edits show in the output', async () => {
    const task = await run('t-aider-1', { prompt: 'Create hello.txt', model: 'anthropic/claude-sonnet-4-5' });
    expect(task).toMatchObject({ status: 'completed', failure_reason: null, session_id: 'aider-t-aider-1' });
    expect(task.result).toBe('I will create hello.txt.\n\nhello.txt\n```\nhello from aider\n```');
    expect(readFileSync(join(repo, 'hello.txt'), 'utf8')).toBe('hello from aider\n');
    const output = h.fake.output('t-aider-1');
    expect(output).toContain('Aider v0.86.1\n');
    expect(output).toContain('▸ edit: hello.txt\n');
    expect(output).toContain('Commit 1a2b3c4 feat: Add hello.txt\n');
    expect(readFileSync(argsFile, 'utf8').split('\n')).toEqual(
      expect.arrayContaining(['--message=Create hello.txt', '--yes-always', '--no-pretty', '--no-stream', '--chat-history-file', '.aider.chat.history.aider-t-aider-1.md', '--model', 'anthropic/claude-sonnet-4-5']),
    );
    expect(existsSync(join(repo, '.aider.chat.history.aider-t-aider-1.md'))).toBe(true);
  });

  it('resume_session_id continues that conversation from its chat history file', async () => {
    const task = await run('t-aider-2', { prompt: 'What did I ask?', resume_session_id: 'aider-t-aider-1' });
    expect(task).toMatchObject({ status: 'completed', session_id: 'aider-t-aider-1', result: 'Earlier you asked: Create hello.txt' });
    expect(readFileSync(argsFile, 'utf8').split('\n')).toEqual(expect.arrayContaining(['--chat-history-file', '.aider.chat.history.aider-t-aider-1.md', '--restore-chat-history']));
    expect(h.fake.output('t-aider-2')).toContain('Restored previous conversation history.\n');
  });

  it('a model error fails the task even though aider exits 0', async () => {
    const task = await run('t-aider-3', { prompt: 'fail' });
    expect(task).toMatchObject({ status: 'failed', failure_reason: 'agent_exit_nonzero' });
    expect(task.error).toMatch(/litellm\.AuthenticationError: AnthropicException/);
    expect(h.fake.output('t-aider-3')).toContain('The API provider is not able to authenticate you. Check your API key.\n');
  });

  it('a resume_session_id that is not a plain file name fails the task without running aider', async () => {
    const task = await run('t-aider-4', { prompt: 'p', resume_session_id: '../../etc/passwd' });
    expect(task).toMatchObject({ status: 'failed', failure_reason: 'internal' });
    expect(task.error).toMatch(/^cannot start aider: aider session ids are letters, digits/);
  });

  it('the worker reports aider with its version at registration', async () => {
    const register = h.fake.calls.filter((c) => c.path.endsWith('/workers/register')).pop();
    expect(register?.body.agents).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'aider', version: 'aider 0.86.1' })]));
  });
});
