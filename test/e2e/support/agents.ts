/**
 * The real agent CLIs for end-to-end tests: where scripts/install-agent-clis.sh put them, a
 * git codebase for them to edit, and the environment that points them at the scripted model
 * server (test/model-server/README.md) and keeps them off the internet.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export const AGENT_CACHE = process.env.CODEFLEET_AGENT_CACHE ?? join(homedir(), '.cache', 'codefleet-agents');
export const AGENT_BIN = join(AGENT_CACHE, 'node_modules', '.bin');
export const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;

export const cliInstalled = (exe: string): boolean => existsSync(join(AGENT_BIN, exe));

/** `describe` when the CLI is in the cache, else `describe.skip` with a message saying how to get it. */
export function describeWithCli(exe: string, title: string, fn: () => void): void {
  if (cliInstalled(exe)) {
    describe(title, fn);
  } else {
    console.warn(`[real-agents] skipping "${title}": ${join(AGENT_BIN, exe)} not found. Run scripts/install-agent-clis.sh (cache: ${AGENT_CACHE}).`);
    describe.skip(`${title} (${exe} not installed in ${AGENT_CACHE})`, fn);
  }
}

/** PATH with the CLI cache first, as a worker on a machine with the CLIs installed has it. */
export const pathWithAgents = (): string => [AGENT_BIN, process.env.PATH ?? ''].filter(Boolean).join(delimiter);

/** A git repository with one commit (OpenCode derives its project id from the first commit). */
export function gitCodebase(dir: string, home = dir): string {
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Codefleet Test', '-c', 'user.email=test@codefleet.invalid', ...args], {
      cwd: dir,
      stdio: 'ignore',
      env: { PATH: process.env.PATH, HOME: home },
    });
  git('init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'README.md'), '# scratch codebase\n');
  git('add', 'README.md');
  git('commit', '-q', '-m', 'initial commit');
  return dir;
}

/** The codebase's opencode.json: the Anthropic provider on the model server, everything allowed. */
export function writeOpencodeConfig(dir: string, modelServerUrl: string): void {
  writeFileSync(
    join(dir, 'opencode.json'),
    JSON.stringify(
      {
        model: 'anthropic/claude-sonnet-4-5',
        provider: { anthropic: { options: { baseURL: `${modelServerUrl}/v1`, apiKey: 'x' } } },
        permission: { edit: 'allow', bash: 'allow', webfetch: 'allow', external_directory: 'allow' },
        autoupdate: false,
        share: 'disabled',
      },
      null,
      2,
    ),
  );
}

/** Codex's operator config in the worker's HOME: the model server as a Responses provider, no approvals. */
export function writeCodexConfig(home: string, modelServerUrl: string): void {
  mkdirSync(join(home, '.codex'), { recursive: true });
  writeFileSync(
    join(home, '.codex', 'config.toml'),
    [
      'model = "gpt-5.5"',
      'model_provider = "scripted"',
      'approval_policy = "never"',
      'sandbox_mode = "danger-full-access"',
      '',
      '[model_providers.scripted]',
      'name = "Scripted model server"',
      `base_url = "${modelServerUrl}/v1"`,
      'env_key = "MODEL_SERVER_API_KEY"',
      'wire_api = "responses"',
      '',
      '[features]',
      'plugins = false',
      'remote_plugin = false',
      '',
    ].join('\n'),
  );
}

/** Gemini CLI's settings in the worker's HOME: API-key auth (the base URL comes from the env), no telemetry or updates. */
export function writeGeminiSettings(home: string): void {
  mkdirSync(join(home, '.gemini'), { recursive: true });
  writeFileSync(
    join(home, '.gemini', 'settings.json'),
    JSON.stringify({
      security: { auth: { selectedType: 'gemini-api-key' } },
      privacy: { usageStatisticsEnabled: false },
      telemetry: { enabled: false },
      general: { disableAutoUpdate: true, disableUpdateNag: true },
    }),
  );
}

/**
 * The worker's environment for the CLIs: the cache on PATH; Claude Code's and Gemini CLI's
 * API on the model server (OpenCode takes it from opencode.json, Codex from config.toml with
 * the key in MODEL_SERVER_API_KEY); OpenCode's offline switches (the worker passes
 * OPENCODE_DISABLE_* through to the agent).
 */
export function agentWorkerEnv(modelServerUrl: string): Record<string, string> {
  return {
    PATH: pathWithAgents(),
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    NO_COLOR: '1',
    ANTHROPIC_BASE_URL: modelServerUrl,
    ANTHROPIC_API_KEY: 'x',
    MODEL_SERVER_API_KEY: 'x',
    GEMINI_API_KEY: 'x',
    GOOGLE_GEMINI_BASE_URL: modelServerUrl,
    OPENCODE_DISABLE_AUTOUPDATE: '1',
    OPENCODE_DISABLE_MODELS_FETCH: '1',
    OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
    OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
    OPENCODE_DISABLE_SHARE: '1',
    OPENCODE_DISABLE_CLAUDE_CODE: '1',
    npm_config_offline: 'true',
  };
}
