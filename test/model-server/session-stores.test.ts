// The worker's session readers against the real agent CLIs: each CLI runs once against the
// scripted model server in a temporary git codebase (a path with `.` and `_` in it), then the
// reader the worker would use lists that codebase's sessions from the CLI's own store.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SyncedSession } from '#contracts';
import pino from 'pino';
import type { WorkerConfig } from '../../apps/worker/src/config/worker-config';
import { CLAUDE_CODE_OFFLINE_ENV } from '../../apps/worker/src/tools/claude-code.adapter';
import { ToolCatalog } from '../../apps/worker/src/tools/tool-catalog';
import { createSessionReaders } from '../../apps/worker/src/sessions/session-readers';
import type { SessionReader } from '../../apps/worker/src/sessions/session-reader';
import {
  AGENT_BIN,
  agentWorkerEnv,
  describeWithCli,
  gitCodebase,
  IS_ROOT,
  writeCodexConfig,
  writeGeminiSettings,
  writeOpencodeConfig,
} from '../e2e/support/agents';
import { startModelServer, type ModelServer } from './model-server';

jest.setTimeout(120_000);

const PROMPT = 'Create hello.txt saying hello, then record that a command ran.';
const REPLY = 'Created hello.txt and ran.txt.';
const SCRIPT = {
  turns: [
    [
      { type: 'text' as const, text: 'I will create hello.txt.' },
      { type: 'write_file' as const, path: 'hello.txt', content: 'hello\n' },
    ],
    [{ type: 'run_command' as const, command: 'echo ran > ran.txt' }],
    [REPLY],
  ],
};

interface Sandbox {
  root: string;
  work: string;
  other: string;
  env: NodeJS.ProcessEnv;
}

/** A worker's world: its own HOME and XDG folders, a codebase, and a second codebase beside it. */
function sandbox(name: string, serverUrl: string): Sandbox {
  const root = realpathSync(mkdtempSync(join(tmpdir(), `cf-sessions-${name}-`)));
  const home = join(root, 'home');
  const work = join(root, 'my.proj_dir', 'code_base');
  const other = join(root, 'my.proj_dir', 'other');
  for (const d of [home, work, other]) mkdirSync(d, { recursive: true });
  gitCodebase(work, home);
  gitCodebase(other, home);
  const env: NodeJS.ProcessEnv = {
    ...agentWorkerEnv(serverUrl),
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
  };
  return { root, work, other, env };
}

/** Spawns the CLI like the worker does (no shell, own process group, stdin closed); resolves with stdout. */
function runCli(bin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(killGroup, 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      killGroup();
      if (code === 0) resolve(out);
      else reject(new Error(`${bin} exited ${code}\n${out.slice(-2000)}\n${err.slice(-2000)}`));
    });
  });
}

const events = (stdout: string): any[] =>
  stdout
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l));

/** The reader the worker builds for `tool` from its tool catalog, in this environment. */
async function workerReader(tool: string, env: NodeJS.ProcessEnv): Promise<SessionReader> {
  const logger = pino({ level: 'silent' });
  const config = {
    workerId: 'w1',
    opencodeBin: join(AGENT_BIN, 'opencode'),
    toolBins: { claude_code: join(AGENT_BIN, 'claude'), codex: join(AGENT_BIN, 'codex'), gemini: join(AGENT_BIN, 'gemini') },
    tools: {},
    enabledTools: [tool],
    defaultTool: tool,
  } as unknown as WorkerConfig;
  const readers = await createSessionReaders(new ToolCatalog(config, async () => null, logger, env), [], logger, env);
  const reader = readers.find((r) => r.tool === tool);
  if (!reader) throw new Error(`no reader for ${tool}`);
  return reader;
}

function expectConversation(session: SyncedSession | undefined, tools: string[]): void {
  expect(session).toBeDefined();
  const messages = session!.messages ?? [];
  expect(messages.find((m) => m.role === 'user')?.text).toContain(PROMPT);
  expect(messages.some((m) => m.role === 'assistant' && m.text === REPLY)).toBe(true);
  for (const tool of tools) expect(session!.tool_usage?.[tool]).toBe(1);
  expect(messages.flatMap((m) => m.tool_calls ?? [])).toEqual(tools);
  expect(session!.message_count).toBe(messages.length);
  expect(session!.title).toBeTruthy();
  expect(Date.parse(session!.updated_at!)).toBeGreaterThanOrEqual(Date.parse(session!.created_at!));
}

describe('session stores of the real agent CLIs', () => {
  let server: ModelServer;
  let sb: Sandbox | undefined;

  beforeEach(async () => {
    server = await startModelServer(SCRIPT);
  });
  afterEach(async () => {
    await server.close();
    if (sb && process.env.KEEP_AGENT_SANDBOX !== '1') rmSync(sb.root, { recursive: true, force: true });
    sb = undefined;
  });

  describeWithCli('claude', 'Claude Code', () => {
    it('lists the session from ~/.claude/projects/<slug> with its messages and tool calls', async () => {
      sb = sandbox('claude', server.url);
      const env = { ...sb.env, ...CLAUDE_CODE_OFFLINE_ENV, ...(IS_ROOT ? { IS_SANDBOX: '1' } : {}) };
      const args = ['-p', PROMPT, '--output-format', 'stream-json', '--verbose', '--permission-mode', 'bypassPermissions'];
      const id = events(await runCli(join(AGENT_BIN, 'claude'), args, sb.work, env)).find((e) => e.type === 'system' && e.subtype === 'init').session_id;
      const reader = await workerReader('claude_code', sb.env);
      const sessions = await reader.list(sb.work);
      expect(sessions.map((s) => s.id)).toEqual([id]);
      expectConversation(sessions[0], ['Write', 'Bash']);
      expect(await reader.list(sb.other)).toEqual([]);
    });
  });

  describeWithCli('opencode', 'OpenCode', () => {
    it('lists the session through `opencode session list` and `opencode export`', async () => {
      sb = sandbox('opencode', server.url);
      writeOpencodeConfig(sb.work, server.url);
      const id = events(await runCli(join(AGENT_BIN, 'opencode'), ['run', '--format', 'json', '--', PROMPT], sb.work, sb.env))[0].sessionID;
      const reader = await workerReader('opencode', sb.env);
      const sessions = await reader.list(sb.work);
      expect(sessions.map((s) => s.id)).toEqual([id]);
      expectConversation(sessions[0], ['write', 'bash']);
      expect(sessions[0].title).toBe('Scripted session'); // OpenCode's own title (its side call)
      expect(await reader.list(sb.other)).toEqual([]);
    });
  });

  describeWithCli('codex', 'Codex', () => {
    it('lists the thread from $CODEX_HOME/sessions/YYYY/MM/DD/rollout-*.jsonl', async () => {
      sb = sandbox('codex', server.url);
      writeCodexConfig(sb.env.HOME!, server.url);
      const args = ['exec', '--json', '--skip-git-repo-check', '-m', 'gpt-5.5', PROMPT];
      const id = events(await runCli(join(AGENT_BIN, 'codex'), args, sb.work, sb.env))[0].thread_id;
      const reader = await workerReader('codex', sb.env);
      const sessions = await reader.list(sb.work);
      expect(sessions.map((s) => s.id)).toEqual([id]);
      expectConversation(sessions[0], ['apply_patch', 'exec_command']);
      expect(await reader.list(sb.other)).toEqual([]);
    });
  });

  describeWithCli('gemini', 'Gemini CLI', () => {
    it('lists the session from ~/.gemini/tmp/<project>/chats, also after --resume rewrote it', async () => {
      sb = sandbox('gemini', server.url);
      writeGeminiSettings(sb.env.HOME!);
      const env = { ...sb.env, GEMINI_CLI_TRUST_WORKSPACE: 'true' };
      const args = ['-p', PROMPT, '--output-format', 'stream-json', '--approval-mode', 'yolo'];
      const id = events(await runCli(join(AGENT_BIN, 'gemini'), args, sb.work, env))[0].session_id;
      const reader = await workerReader('gemini', sb.env);
      const sessions = await reader.list(sb.work);
      expect(sessions.map((s) => s.id)).toEqual([id]);
      expectConversation(sessions[0], ['write_file', 'run_shell_command']);
      expect(await reader.list(sb.other)).toEqual([]);
      // `--resume` rewrites the history in the API's own shape (functionCall parts, no toolCalls).
      server.setScript({ turns: [['Second answer.']] });
      await runCli(join(AGENT_BIN, 'gemini'), [...args.slice(2), '-p', 'Second prompt', '--resume', id], sb.work, env);
      const [resumed] = await reader.list(sb.work);
      expectConversation(resumed, ['write_file', 'run_shell_command']);
      expect(resumed.messages!.slice(-2).map((m) => [m.role, m.text])).toEqual([
        ['user', 'Second prompt'],
        ['assistant', 'Second answer.'],
      ]);
    });
  });
});
