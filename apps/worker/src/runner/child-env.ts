/**
 * The agent's environment: the worker's, minus the worker's own secrets and minus variables
 * that make a CLI believe it runs nested inside another agent; plus the tool's own additions.
 * API keys and base URLs of the agent CLIs (ANTHROPIC_API_KEY, OPENAI_BASE_URL, ...) stay.
 */
const WORKER_SECRETS: RegExp[] = [
  /^A2A_/, // the worker's own settings and token
  /^CODEFLEET_/,
  /^SENDGRID_/,
  /^(DATABASE|POSTGRES|PG)_?(URL|PASSWORD|PASS)$/,
  /^(.+_)?REDIS_URL$/,
  /^WORKER_API_KEY$/,
];

/** Set by an agent for the processes it starts; inherited, they confuse a nested CLI. */
const NESTED_AGENT: RegExp[] = [
  /^CLAUDECODE$/,
  /^CLAUDE_CODE_(ENTRYPOINT|SSE_PORT|SESSION_ID|EXECPATH)$/,
  /^OPENCODE/,
  /^CODEX_(SANDBOX.*|SESSION.*|THREAD_ID|MANAGED_BY_.*|CI)$/,
  /^GEMINI_CLI$/,
];

/**
 * Where the worker was started from: a CLI that reads its project from `PWD` (OpenCode does)
 * would otherwise treat the codebase as an external directory and refuse to edit it.
 */
const WORKER_LOCATION: RegExp[] = [/^PWD$/, /^OLDPWD$/, /^INIT_CWD$/, /^npm_/];

/** Operator settings of the CLIs themselves, not session state: kept even though they match above. */
const KEEP: RegExp[] = [/_API_KEY$/, /_BASE_URL$/, /^OPENCODE_(CONFIG(_DIR|_CONTENT)?|DISABLE_.+|ENABLE_.+|EXPERIMENTAL.*|PERMISSION)$/];

export function isScrubbed(name: string): boolean {
  if (KEEP.some((re) => re.test(name)) && !/^A2A_|^SENDGRID_|^CODEFLEET_/.test(name)) return false;
  return [WORKER_SECRETS, NESTED_AGENT, WORKER_LOCATION].some((list) => list.some((re) => re.test(name)));
}

/** `cwd` becomes the child's `PWD`, as a shell would set it after `cd cwd`. */
export function buildChildEnv(parent: NodeJS.ProcessEnv, cwd: string, additions: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value !== undefined && !isScrubbed(name)) env[name] = value;
  }
  return { ...env, ...additions, PWD: cwd };
}
