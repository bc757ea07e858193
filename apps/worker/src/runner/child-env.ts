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

/** Operator settings of the CLIs themselves, not session state: kept even though they match above. */
const KEEP: RegExp[] = [/_API_KEY$/, /_BASE_URL$/, /^OPENCODE_(CONFIG(_DIR|_CONTENT)?|DISABLE_.+|ENABLE_.+|EXPERIMENTAL.*|PERMISSION)$/];

export function isScrubbed(name: string): boolean {
  if (KEEP.some((re) => re.test(name)) && !/^A2A_|^SENDGRID_|^CODEFLEET_/.test(name)) return false;
  return WORKER_SECRETS.some((re) => re.test(name)) || NESTED_AGENT.some((re) => re.test(name));
}

export function buildChildEnv(parent: NodeJS.ProcessEnv, additions: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value !== undefined && !isScrubbed(name)) env[name] = value;
  }
  return { ...env, ...additions };
}
