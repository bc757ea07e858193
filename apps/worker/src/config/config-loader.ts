import { homedir, hostname as osHostname } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { normalizeCodebasePath } from '#domain';
import type { CliArgs } from './cli-args';
import { ConfigError } from './config-error';
import { CONFIG_DEFAULTS, type CodebaseConfig, type CommandToolConfig, type WorkerConfig } from './worker-config';

/** The outside world the loader reads; injectable so precedence and errors are unit-testable. */
export interface ConfigSources {
  cli: CliArgs;
  env: NodeJS.ProcessEnv;
  hostname?: () => string;
  readFile?: (path: string) => string;
  fileExists?: (path: string) => boolean;
}

export interface LoadedConfig {
  config: WorkerConfig;
  /** Non-fatal findings (unknown keys, ignored legacy keys), logged at start. */
  warnings: string[];
}

const KNOWN_KEYS = new Set([
  'server_url', 'worker_id', 'worker_name', 'poll_interval', 'codebases', 'capabilities',
  'max_concurrent', 'opencode_bin', 'redis_url', 'auth_token', 'tools', 'enabled_tools',
  'default_tool', 'cancel_grace_s', 'shutdown_grace_s', 'heartbeat_interval_s', 'log_level',
  'idle_timeout_s', 'post_result_grace_s', 'state_dir',
]);
/** Keys of older worker generations that now live elsewhere (mail is sent by the API). */
const LEGACY_KEYS = new Set([
  'sendgrid_api_key', 'sendgrid_from_email', 'notification_email', 'email_inbound_domain',
  'email_reply_prefix', 'agent_name', 'agent_description', 'register_as_agent', 'agent_bin',
]);

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const TOOL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

type Json = Record<string, unknown>;

/** One value with the place it came from, so an error can name the flag, variable or key. */
interface Sourced<T> {
  value: T;
  source: string;
}

export function loadWorkerConfig(src: ConfigSources): LoadedConfig {
  const env = src.env;
  const readFile = src.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const fileExists = src.fileExists ?? existsSync;
  const warnings: string[] = [];

  const { file, filePath } = readConfigFile(src.cli, env, readFile, fileExists);
  for (const key of Object.keys(file)) {
    if (LEGACY_KEYS.has(key)) warnings.push(`${filePath}: key "${key}" is no longer used by the worker (ignored)`);
    else if (!KNOWN_KEYS.has(key)) warnings.push(`${filePath}: unknown key "${key}" (ignored)`);
  }
  const fromFile = (key: string): Sourced<unknown> | undefined =>
    file[key] === undefined || file[key] === null ? undefined : { value: file[key], source: `${filePath}: ${key}` };
  const fromEnv = (name: string): Sourced<unknown> | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : { value: v.trim(), source: `environment variable ${name}` };
  };
  const fromFlag = (value: string | undefined, flag: string): Sourced<unknown> | undefined =>
    value === undefined ? undefined : { value, source: `flag ${flag}` };
  const pick = (...candidates: (Sourced<unknown> | undefined)[]): Sourced<unknown> | undefined => candidates.find((c) => c !== undefined);

  const server = pick(fromFlag(src.cli.server, '--server'), fromEnv('A2A_SERVER_URL'), fromFile('server_url'));
  if (!server) {
    throw new ConfigError(
      filePath ? `${filePath}: server_url` : 'server_url',
      'is required (set it in the config file, with --server, or with A2A_SERVER_URL)',
    );
  }
  const serverUrl = httpUrl(server);

  const nameSrc = pick(fromFlag(src.cli.name, '--name'), fromEnv('A2A_WORKER_NAME'), fromFile('worker_name'));
  const workerName = nameSrc ? nonEmptyString(nameSrc) : (src.hostname ?? osHostname)();
  const idSrc = pick(fromEnv('A2A_WORKER_ID'), fromFile('worker_id'));
  let workerId: string;
  if (idSrc) {
    workerId = nonEmptyString(idSrc);
    if (!ID_PATTERN.test(workerId)) {
      throw new ConfigError(idSrc.source, `worker id "${workerId}" may only contain letters, digits, ".", "_" and "-"`);
    }
  } else {
    // Queue and channel names embed the id: derive a safe one from the name.
    workerId = workerName.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 128) || 'worker';
  }

  const pollSrc = pick(fromFlag(src.cli.pollInterval, '--poll-interval'), fromEnv('A2A_POLL_INTERVAL'), fromFile('poll_interval'));
  const maxSrc = pick(fromFlag(src.cli.maxConcurrent, '--max-concurrent'), fromEnv('A2A_MAX_CONCURRENT'), fromFile('max_concurrent'));
  const opencodeSrc = pick(fromFlag(src.cli.opencode, '--opencode'), fromFile('opencode_bin'));
  const redisSrc = pick(fromEnv('A2A_REDIS_URL'), fromFile('redis_url'));
  const tokenSrc = pick(fromFlag(src.cli.token, '--token'), fromEnv('A2A_AUTH_TOKEN'), fromFile('auth_token'));
  const enabledSrc = pick(fromEnv('ENABLED_TOOLS'), fromFile('enabled_tools'));
  const defaultToolSrc = pick(fromEnv('DEFAULT_TOOL'), fromFile('default_tool'));
  const logLevelSrc = pick(fromEnv('LOG_LEVEL'), fromFile('log_level'));
  const idleSrc = pick(fromEnv('A2A_IDLE_TIMEOUT_S'), fromFile('idle_timeout_s'));
  const postResultSrc = pick(fromEnv('A2A_POST_RESULT_GRACE_S'), fromFile('post_result_grace_s'));
  const stateDirSrc = pick(fromEnv('A2A_STATE_DIR'), fromFile('state_dir'));

  const opencodeBin = opencodeSrc ? absolutePath(opencodeSrc) : null;
  const logLevel = logLevelSrc ? nonEmptyString(logLevelSrc).toLowerCase() : CONFIG_DEFAULTS.logLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(logLevelSrc!.source, `log level must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }

  const config: WorkerConfig = {
    serverUrl,
    workerId,
    workerName,
    pollIntervalS: pollSrc ? positiveNumber(pollSrc) : CONFIG_DEFAULTS.pollIntervalS,
    codebases: mergeCodebases(fromFile('codebases'), src.cli.codebases),
    capabilities: fromFile('capabilities') ? stringList(fromFile('capabilities')!) : [...CONFIG_DEFAULTS.capabilities],
    maxConcurrent: maxSrc ? positiveInteger(maxSrc) : CONFIG_DEFAULTS.maxConcurrent,
    opencodeBin,
    redisUrl: redisSrc ? redisUrl(redisSrc) : null,
    authToken: tokenSrc ? nonEmptyString(tokenSrc) : null,
    tools: parseTools(fromFile('tools')),
    toolBins: parseToolBins(fromFile('tools')),
    enabledTools: enabledSrc ? stringList(enabledSrc) : null,
    defaultTool: defaultToolSrc ? nonEmptyString(defaultToolSrc) : CONFIG_DEFAULTS.defaultTool,
    cancelGraceS: fromFile('cancel_grace_s') ? nonNegativeNumber(fromFile('cancel_grace_s')!) : CONFIG_DEFAULTS.cancelGraceS,
    shutdownGraceS: fromFile('shutdown_grace_s') ? nonNegativeNumber(fromFile('shutdown_grace_s')!) : CONFIG_DEFAULTS.shutdownGraceS,
    idleTimeoutS: idleSrc ? nonNegativeNumber(idleSrc) : CONFIG_DEFAULTS.idleTimeoutS,
    postResultGraceS: postResultSrc ? nonNegativeNumber(postResultSrc) : CONFIG_DEFAULTS.postResultGraceS,
    heartbeatIntervalS: fromFile('heartbeat_interval_s')
      ? positiveNumber(fromFile('heartbeat_interval_s')!)
      : CONFIG_DEFAULTS.heartbeatIntervalS,
    logLevel,
    stateDir: stateDirSrc ? absolutePath(stateDirSrc) : defaultStateDir(env, workerId),
    configFile: filePath,
  };
  return { config, warnings };
}

/** systemd's StateDirectory=, else the XDG state home, else ~/.local/state; one folder per worker id. */
function defaultStateDir(env: NodeJS.ProcessEnv, workerId: string): string {
  // systemd may list several directories, separated by ":".
  const systemd = env.STATE_DIRECTORY?.split(':')[0]?.trim();
  if (systemd && isAbsolute(systemd)) return systemd;
  const xdg = env.XDG_STATE_HOME?.trim();
  // The XDG spec says to ignore a relative path.
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME?.trim() || homedir(), '.local', 'state');
  return join(base, 'codefleet-worker', workerId);
}

function readConfigFile(
  cli: CliArgs,
  env: NodeJS.ProcessEnv,
  readFile: (p: string) => string,
  fileExists: (p: string) => boolean,
): { file: Json; filePath: string | null } {
  let filePath: string | null = null;
  if (cli.config !== undefined) {
    filePath = cli.config; // named explicitly: it must exist
  } else {
    // The default location (or the image's A2A_CONFIG_FILE) is used only when present.
    const candidate = env.A2A_CONFIG_FILE?.trim() || CONFIG_DEFAULTS.configFile;
    if (fileExists(candidate)) filePath = candidate;
  }
  if (filePath === null) return { file: {}, filePath: null };
  let text: string;
  try {
    text = readFile(filePath);
  } catch (err) {
    throw new ConfigError(filePath, `cannot read config file: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(filePath, `invalid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(filePath, 'the config file must contain a JSON object');
  }
  return { file: parsed as Json, filePath };
}

function nonEmptyString(s: Sourced<unknown>): string {
  if (typeof s.value !== 'string' || s.value.trim() === '') throw new ConfigError(s.source, 'must be a non-empty string');
  return s.value.trim();
}

function toNumber(s: Sourced<unknown>): number {
  const n = typeof s.value === 'number' ? s.value : typeof s.value === 'string' && s.value.trim() !== '' ? Number(s.value) : NaN;
  if (!Number.isFinite(n)) throw new ConfigError(s.source, `must be a number, got ${JSON.stringify(s.value)}`);
  return n;
}

function positiveNumber(s: Sourced<unknown>): number {
  const n = toNumber(s);
  if (n <= 0) throw new ConfigError(s.source, `must be greater than 0, got ${n}`);
  return n;
}

function nonNegativeNumber(s: Sourced<unknown>): number {
  const n = toNumber(s);
  if (n < 0) throw new ConfigError(s.source, `must not be negative, got ${n}`);
  return n;
}

function positiveInteger(s: Sourced<unknown>): number {
  const n = toNumber(s);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(s.source, `must be a whole number of at least 1, got ${JSON.stringify(s.value)}`);
  return n;
}

function httpUrl(s: Sourced<unknown>): string {
  const raw = nonEmptyString(s);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(s.source, `not a valid URL: "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(s.source, `must be an http:// or https:// URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

function redisUrl(s: Sourced<unknown>): string {
  const raw = nonEmptyString(s);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(s.source, `not a valid Redis URL: "${raw}"`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError(s.source, `must be a redis:// or rediss:// URL, got "${raw}"`);
  }
  return raw;
}

function absolutePath(s: Sourced<unknown>): string {
  const raw = nonEmptyString(s);
  if (!isAbsolute(raw)) throw new ConfigError(s.source, `must be an absolute path, got "${raw}"`);
  return raw;
}

/** A JSON array of strings, or a comma-separated string (environment variables). */
function stringList(s: Sourced<unknown>): string[] {
  const items = typeof s.value === 'string' ? s.value.split(',') : s.value;
  if (!Array.isArray(items) || items.some((i) => typeof i !== 'string')) {
    throw new ConfigError(s.source, 'must be a list of strings');
  }
  return [...new Set((items as string[]).map((i) => i.trim()).filter((i) => i !== ''))];
}

function codebase(raw: unknown, source: string, fallbackName?: string): CodebaseConfig {
  let name: unknown = fallbackName;
  let path: unknown = raw;
  let description: unknown = '';
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const o = raw as Json;
    ({ name, path } = o);
    description = o.description ?? '';
  } else if (typeof raw !== 'string') {
    throw new ConfigError(source, 'must be a path string or an object {name, path, description}');
  }
  if (typeof path !== 'string' || path === '') throw new ConfigError(`${source}.path`, 'is required (an absolute path)');
  let normalized: string;
  try {
    normalized = normalizeCodebasePath(path);
  } catch (err) {
    throw new ConfigError(typeof raw === 'string' ? source : `${source}.path`, (err as Error).message);
  }
  if (name !== undefined && name !== null && (typeof name !== 'string' || name.trim() === '')) {
    throw new ConfigError(`${source}.name`, 'must be a non-empty string');
  }
  if (typeof description !== 'string') throw new ConfigError(`${source}.description`, 'must be a string');
  return { name: (name as string | undefined)?.trim() || basename(normalized) || normalized, path: normalized, description };
}

/** `--codebase name:path` or `--codebase /path`; flags add to the file's list (a flag wins on the same path). */
function mergeCodebases(fileValue: Sourced<unknown> | undefined, flags: string[]): CodebaseConfig[] {
  const byPath = new Map<string, CodebaseConfig>();
  if (fileValue) {
    if (!Array.isArray(fileValue.value)) throw new ConfigError(fileValue.source, 'must be an array');
    fileValue.value.forEach((item, i) => {
      const cb = codebase(item, `${fileValue.source}[${i}]`);
      byPath.set(cb.path, cb);
    });
  }
  for (const flag of flags) {
    const source = `flag --codebase ${JSON.stringify(flag)}`;
    const colon = flag.indexOf(':');
    const cb =
      flag.startsWith('/') || colon < 0
        ? codebase(flag, source)
        : codebase(flag.slice(colon + 1), source, flag.slice(0, colon).trim() || undefined);
    byPath.set(cb.path, cb);
  }
  return [...byPath.values()];
}

function parseTools(value: Sourced<unknown> | undefined): Record<string, CommandToolConfig> {
  if (!value) return {};
  if (typeof value.value !== 'object' || value.value === null || Array.isArray(value.value)) {
    throw new ConfigError(value.source, 'must be an object mapping tool names to {command, args, env, cwd}');
  }
  const tools: Record<string, CommandToolConfig> = {};
  for (const [name, raw] of Object.entries(value.value as Json)) {
    const at = `${value.source}.${name}`;
    if (!TOOL_NAME_PATTERN.test(name)) throw new ConfigError(at, 'tool names may only contain letters, digits, ".", "_" and "-"');
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(at, 'must be an object {command, args, env, cwd}');
    const t = raw as Json;
    if (t.command === undefined && t.bin !== undefined) continue; // a built-in CLI's binary: parseToolBins
    if (typeof t.command !== 'string' || t.command === '') throw new ConfigError(`${at}.command`, 'is required (an absolute path)');
    if (!isAbsolute(t.command)) throw new ConfigError(`${at}.command`, `must be an absolute path, got "${t.command}"`);
    const args = t.args ?? ['{prompt}'];
    if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) throw new ConfigError(`${at}.args`, 'must be an array of strings');
    const env = t.env ?? {};
    if (typeof env !== 'object' || env === null || Array.isArray(env) || Object.values(env).some((v) => typeof v !== 'string')) {
      throw new ConfigError(`${at}.env`, 'must be an object of string values');
    }
    if (t.cwd !== undefined && t.cwd !== null && (typeof t.cwd !== 'string' || t.cwd === '')) {
      throw new ConfigError(`${at}.cwd`, 'must be a non-empty string');
    }
    tools[name] = {
      name,
      command: t.command,
      args: args as string[],
      env: env as Record<string, string>,
      cwd: (t.cwd as string | undefined) ?? null,
    };
  }
  return tools;
}

/** `tools.<name>: {bin: "/abs/path"}` (no `command`): where a built-in agent CLI is installed. */
function parseToolBins(value: Sourced<unknown> | undefined): Record<string, string> {
  const bins: Record<string, string> = {};
  if (!value || typeof value.value !== 'object' || value.value === null || Array.isArray(value.value)) return bins;
  for (const [name, raw] of Object.entries(value.value as Json)) {
    const t = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Json) : undefined;
    if (!t || t.command !== undefined || t.bin === undefined) continue;
    bins[name] = absolutePath({ value: t.bin, source: `${value.source}.${name}.bin` });
  }
  return bins;
}
