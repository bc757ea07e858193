import { DEFAULT_TOOL } from '#contracts';

/** Built-in tool names (any case) and other names for them; sessions store the worker's tool name. */
const TOOL_ALIASES: Record<string, string> = {
  opencode: 'opencode',
  claude_code: 'claude_code',
  codex: 'codex',
  gemini: 'gemini',
  aider: 'aider',
  claude: 'claude_code',
  'claude-code': 'claude_code',
  claudecode: 'claude_code',
  'gemini-cli': 'gemini',
  'opencode-ai': 'opencode',
};

/**
 * A session's agent_type is the tool that owns it, and resuming it must run that same tool
 * (`tool` on the task; the task's own agent_type keeps its OpenCode `--agent` meaning).
 */
export function toolOfSession(agentType: string | null | undefined): string {
  const name = agentType?.trim();
  if (!name) return DEFAULT_TOOL;
  // Custom tools keep their exact name: the worker looks them up as configured.
  return TOOL_ALIASES[name.toLowerCase()] ?? name;
}
