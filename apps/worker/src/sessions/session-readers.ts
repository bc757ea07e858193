import type { Logger } from 'pino';
import { buildChildEnv } from '../runner/child-env';
import type { ToolCatalog } from '../tools/tool-catalog';
import { AiderSessionReader } from './aider-sessions';
import { ClaudeCodeSessionReader } from './claude-code-sessions';
import { CodexSessionReader } from './codex-sessions';
import { GeminiSessionReader } from './gemini-sessions';
import { OpencodeSessionReader } from './opencode-sessions';
import type { SessionReader } from './session-reader';

/** Injection token: the readers for the tools installed and enabled on this worker. */
export const SESSION_READERS = Symbol('SESSION_READERS');

/**
 * A reader for each installed and enabled built-in CLI. They look where the agents write: the
 * environment the worker gives its agent processes (same HOME, CLAUDE_CONFIG_DIR, CODEX_HOME,
 * XDG_DATA_HOME, GEMINI_CLI_HOME), and OpenCode's binary as the catalog resolved it. Aider's
 * per-session chat history files are in the codebase directory.
 */
export async function createSessionReaders(
  tools: ToolCatalog,
  customTools: string[],
  logger: Logger,
  parentEnv: NodeJS.ProcessEnv = process.env,
): Promise<SessionReader[]> {
  // PWD is set per call by the readers that run a CLI in the codebase.
  const env = buildChildEnv(parentEnv, process.cwd());
  // A custom command tool that took a built-in's name is not that CLI: no store to read.
  const bins = new Map((await tools.agents()).filter((a) => !customTools.includes(a.name)).map((a) => [a.name, a.bin]));
  const readers: SessionReader[] = [];
  const opencode = bins.get('opencode');
  if (opencode) readers.push(new OpencodeSessionReader(opencode, env, logger));
  if (bins.has('claude_code')) readers.push(new ClaudeCodeSessionReader(env, logger));
  if (bins.has('codex')) readers.push(new CodexSessionReader(env, logger));
  if (bins.has('gemini')) readers.push(new GeminiSessionReader(env, logger));
  if (bins.has('aider')) readers.push(new AiderSessionReader(logger)); // its history files live in the codebase itself
  return readers;
}
