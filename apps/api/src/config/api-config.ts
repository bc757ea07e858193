/**
 * The API's configuration, read once from the environment and validated at boot. Every problem
 * is reported at once, naming the variable, and the process does not start with a bad config.
 */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface AuthToken {
  name: string;
  token: string;
}

export interface ApiConfig {
  databaseUrl: string;
  redisUrl: string;
  port: number;
  authTokens: AuthToken[];
  authDisabled: boolean;
  heartbeatIntervalS: number;
  workerOfflineAfterMissed: number;
  sessionSyncIntervalS: number;
  reconcileIntervalMs: number;
  queuePrefix: string;
  shareRedisUrl: boolean;
  metricsPublic: boolean;
  bodyLimit: string;
  logLevel: LogLevel;
  /** Requests per minute per client address; 0 turns rate limiting off. */
  rateLimitPerMinute: number;
  /** Interval of SSE keep-alive comments. */
  sseKeepAliveS: number;
}

/** Tokens shorter than this are accepted but logged as weak. */
export const RECOMMENDED_TOKEN_LENGTH = 16;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  }

  required(name: string, hint: string): string {
    const v = this.raw(name);
    if (v === undefined) this.problems.push(`${name} is required (${hint})`);
    return v ?? '';
  }

  url(name: string, value: string, schemes: string[]): string {
    if (!value) return value;
    try {
      const u = new URL(value);
      if (!schemes.includes(u.protocol.replace(/:$/, ''))) {
        this.problems.push(`${name} must be a ${schemes.join(' or ')} URL, got scheme "${u.protocol}"`);
      }
    } catch {
      this.problems.push(`${name} is not a valid URL`);
    }
    return value;
  }

  int(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max) {
      this.problems.push(`${name} must be an integer between ${min} and ${max}, got "${v}"`);
      return fallback;
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.raw(name)?.toLowerCase();
    if (v === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(v)) return true;
    if (['false', '0', 'no', 'off'].includes(v)) return false;
    this.problems.push(`${name} must be true or false, got "${v}"`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const v = this.raw(name)?.toLowerCase();
    if (v === undefined) return fallback;
    if ((allowed as readonly string[]).includes(v)) return v as T;
    this.problems.push(`${name} must be one of ${allowed.join(', ')}, got "${v}"`);
    return fallback;
  }

  matching(name: string, pattern: RegExp, fallback: string, what: string): string {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (!pattern.test(v)) {
      this.problems.push(`${name} must be ${what}, got "${v}"`);
      return fallback;
    }
    return v;
  }
}

/** `name:token,name:token`; the token may itself contain ':'. */
export function parseAuthTokens(raw: string | undefined, problems: string[]): AuthToken[] {
  if (!raw) return [];
  const tokens: AuthToken[] = [];
  const names = new Set<string>();
  raw.split(',').forEach((entry, i) => {
    const item = entry.trim();
    if (!item) return;
    const sep = item.indexOf(':');
    const name = sep > 0 ? item.slice(0, sep).trim() : '';
    const token = sep > 0 ? item.slice(sep + 1).trim() : '';
    if (!name || !token) {
      problems.push(`A2A_AUTH_TOKENS entry ${i + 1} must look like name:token`);
      return;
    }
    if (names.has(name)) problems.push(`A2A_AUTH_TOKENS names must be unique, "${name}" appears twice`);
    names.add(name);
    tokens.push({ name, token });
  });
  return tokens;
}

export function loadApiConfig(env: Env = process.env): ApiConfig {
  const r = new EnvReader(env);
  const databaseUrl = r.url('DATABASE_URL', r.required('DATABASE_URL', 'postgres://user@host:5432/db'), ['postgres', 'postgresql']);
  const redisName = r.raw('REDIS_URL') !== undefined ? 'REDIS_URL' : 'A2A_REDIS_URL';
  const redisRaw = r.raw('REDIS_URL') ?? r.raw('A2A_REDIS_URL');
  if (redisRaw === undefined) r.problems.push('REDIS_URL (or A2A_REDIS_URL) is required (redis://host:6379)');
  const redisUrl = r.url(redisName, redisRaw ?? '', ['redis', 'rediss']);

  const authTokens = parseAuthTokens(r.raw('A2A_AUTH_TOKENS'), r.problems);
  const authDisabled = r.bool('AUTH_DISABLED', false);
  if (authTokens.length === 0 && !authDisabled && !r.problems.some((p) => p.startsWith('A2A_AUTH_TOKENS'))) {
    r.problems.push(
      'A2A_AUTH_TOKENS is empty: set it to name:token pairs (e.g. admin:<32 random chars>), ' +
        'or set AUTH_DISABLED=true for local development only',
    );
  }

  const config: ApiConfig = {
    databaseUrl,
    redisUrl,
    port: r.int('PORT', 8000, 0, 65535),
    authTokens,
    authDisabled,
    heartbeatIntervalS: r.int('HEARTBEAT_INTERVAL_S', 10, 1, 3600),
    workerOfflineAfterMissed: r.int('WORKER_OFFLINE_AFTER_MISSED', 3, 2, 1000),
    sessionSyncIntervalS: r.int('SESSION_SYNC_INTERVAL_S', 60, 1, 86400),
    reconcileIntervalMs: r.int('RECONCILE_INTERVAL_MS', 5000, 100, 3_600_000),
    queuePrefix: r.matching('QUEUE_PREFIX', /^[A-Za-z0-9{}_.-]{1,64}$/, 'bull', 'letters, digits, {}, _, . or - (no ":")'),
    shareRedisUrl: r.bool('SHARE_REDIS_URL', true),
    metricsPublic: r.bool('METRICS_PUBLIC', true),
    bodyLimit: r.matching('BODY_LIMIT', /^\d+(b|kb|mb)?$/i, '1mb', 'a size such as 512kb or 1mb'),
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    rateLimitPerMinute: r.int('RATE_LIMIT_PER_MINUTE', 1200, 0),
    sseKeepAliveS: r.int('SSE_KEEPALIVE_S', 15, 1, 300),
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}

/** Things worth a warning line at boot, without stopping it. */
export function configWarnings(config: ApiConfig): string[] {
  const warnings: string[] = [];
  if (config.authDisabled) {
    warnings.push('AUTH_DISABLED=true: every route is open. Use this for local development only.');
  }
  for (const t of config.authTokens) {
    if (t.token.length < RECOMMENDED_TOKEN_LENGTH) {
      warnings.push(`A2A_AUTH_TOKENS: the token named "${t.name}" is shorter than ${RECOMMENDED_TOKEN_LENGTH} characters`);
    }
  }
  return warnings;
}

/** The Redis URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}
