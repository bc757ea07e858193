/**
 * The API's configuration, read once from the environment and validated at boot. Every problem
 * is reported at once, naming the variable, and the process does not start with a bad config.
 */
import { isIP } from 'node:net';
import { parseWebhookPublicKey } from '../email/webhook-signature';
import { parseTokenIdentity, type TokenIdentity } from '../auth/token-scope';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One entry of A2A_AUTH_TOKENS: who it speaks for (name, scope, bound worker) and the secret. */
export interface AuthToken extends TokenIdentity {
  token: string;
}

export interface ApiConfig {
  databaseUrl: string;
  /** Pooled PostgreSQL connections per replica. */
  databasePoolMax: number;
  redisUrl: string;
  port: number;
  authTokens: AuthToken[];
  authDisabled: boolean;
  /**
   * How long a bearer token looked up in the api_tokens table (hit or miss) is remembered per
   * replica (AUTH_TOKEN_CACHE_MS, 0 = no cache): a revoke reaches every replica within this window.
   */
  authTokenCacheMs: number;
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
  /** Notifications and the inbound reply webhook; every field optional (email off when unset). */
  email: EmailConfig;
  /** Serve the Bull Board queue UI at /admin/queues (admin tokens only). */
  queueBoardEnabled: boolean;
  /**
   * Express's `trust proxy` setting (TRUST_PROXY): which hops may set X-Forwarded-For, so that
   * `req.ip` (rate limits, logs) is the client behind a load balancer. false trusts none.
   */
  trustProxy: TrustProxy;
}

/** false (default), true (every hop), a hop count, or addresses/CIDRs/Express presets. */
export type TrustProxy = boolean | number | string[];

export interface EmailConfig {
  sendgridApiKey?: string;
  sendgridFromEmail?: string;
  sendgridApiUrl?: string;
  smtpUrl?: string;
  emailFrom?: string;
  /** Server-wide recipient when a task has no metadata.notify_email. */
  notificationEmail?: string;
  /** Domain of the signed Reply-To addresses; replies are accepted only when set. */
  inboundDomain?: string;
  replyPrefix: string;
  /** HMAC secret of reply addresses (required with inboundDomain). */
  signingSecret?: string;
  /** `user:password` the Inbound Parse URL must carry. */
  inboundBasicAuth?: { user: string; password: string };
  /**
   * SendGrid's webhook verification key (base64 DER SPKI as SendGrid shows it, or PEM): when set,
   * every inbound post must carry a valid ECDSA signature of timestamp + raw body.
   */
  sendgridInboundPublicKey?: string;
  /** Senders accepted whoever the notification went to (lower-case). */
  allowedSenders: string[];
  /** Public base URL of the API, for links in notifications. */
  publicUrl?: string;
  /** Posts per minute per client address on POST /v1/email/inbound; 0 turns the limit off. */
  inboundRateLimitPerMinute: number;
  /** Queue attempts of one notification before its row ends `failed`. */
  sendAttempts: number;
  /** First retry delay of a failed send (doubling each attempt). */
  sendBackoffMs: number;
  /** How often notifications left `queued` without a queue job are enqueued again. */
  resendSweepIntervalMs: number;
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

/**
 * `name:token,name@client:token,name@worker/<worker_id>:token`: everything before the first ':'
 * is the name and its optional scope (none = admin); the token may itself contain ':'.
 */
export function parseAuthTokens(raw: string | undefined, problems: string[]): AuthToken[] {
  if (!raw) return [];
  const tokens: AuthToken[] = [];
  const names = new Set<string>();
  raw.split(',').forEach((entry, i) => {
    const item = entry.trim();
    if (!item) return;
    const sep = item.indexOf(':');
    const label = sep > 0 ? item.slice(0, sep).trim() : '';
    const token = sep > 0 ? item.slice(sep + 1).trim() : '';
    if (!label || !token) {
      problems.push(`A2A_AUTH_TOKENS entry ${i + 1} must look like name:token (or name@client:token, name@worker/<worker_id>:token)`);
      return;
    }
    const identity = parseTokenIdentity(label);
    if (typeof identity === 'string') {
      problems.push(`A2A_AUTH_TOKENS entry ${i + 1} ("${label}"): ${identity}`);
      return;
    }
    if (names.has(identity.name)) problems.push(`A2A_AUTH_TOKENS names must be unique, "${identity.name}" appears twice`);
    names.add(identity.name);
    tokens.push({ ...identity, token });
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
    databasePoolMax: r.int('DATABASE_POOL_MAX', 20, 1, 1000),
    redisUrl,
    port: r.int('PORT', 8000, 0, 65535),
    authTokens,
    authDisabled,
    authTokenCacheMs: r.int('AUTH_TOKEN_CACHE_MS', 5000, 0, 300_000),
    heartbeatIntervalS: r.int('HEARTBEAT_INTERVAL_S', 10, 1, 3600),
    workerOfflineAfterMissed: r.int('WORKER_OFFLINE_AFTER_MISSED', 3, 2, 1000),
    sessionSyncIntervalS: r.int('SESSION_SYNC_INTERVAL_S', 60, 0, 86400),
    reconcileIntervalMs: r.int('RECONCILE_INTERVAL_MS', 5000, 100, 3_600_000),
    queuePrefix: r.matching('QUEUE_PREFIX', /^[A-Za-z0-9{}_.-]{1,64}$/, 'bull', 'letters, digits, {}, _, . or - (no ":")'),
    shareRedisUrl: r.bool('SHARE_REDIS_URL', true),
    metricsPublic: r.bool('METRICS_PUBLIC', true),
    bodyLimit: r.matching('BODY_LIMIT', /^\d+(b|kb|mb)?$/i, '1mb', 'a size such as 512kb or 1mb'),
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    rateLimitPerMinute: r.int('RATE_LIMIT_PER_MINUTE', 1200, 0),
    sseKeepAliveS: r.int('SSE_KEEPALIVE_S', 15, 1, 300),
    email: loadEmailConfig(r),
    queueBoardEnabled: r.bool('QUEUE_BOARD_ENABLED', true),
    trustProxy: parseTrustProxy(r.raw('TRUST_PROXY'), r.problems),
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}

/** The names Express (proxy-addr) knows for address ranges. */
const TRUST_PROXY_PRESETS = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY: `false`, `true`, a hop count (trust that many proxies in front of the API), or a
 * comma list of addresses, CIDRs and the presets loopback/linklocal/uniquelocal. Checked here
 * because Express would only fail on a bad entry at the first request.
 */
export function parseTrustProxy(raw: string | undefined, problems: string[]): TrustProxy {
  if (raw === undefined) return false;
  const v = raw.toLowerCase();
  if (v === 'false') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops <= 100) return hops;
    problems.push(`TRUST_PROXY hop count must be between 0 and 100, got "${raw}"`);
    return false;
  }
  const entries = raw.split(',').map((e) => e.trim()).filter(Boolean);
  const bad = entries.filter((e) => !TRUST_PROXY_PRESETS.includes(e.toLowerCase()) && !isAddressOrCidr(e));
  if (entries.length === 0 || bad.length > 0) {
    problems.push(
      `TRUST_PROXY must be false, true, a hop count or a comma list of addresses/CIDRs (or loopback, linklocal, uniquelocal); ` +
        `not understood: ${(bad.length ? bad : [raw]).map((b) => `"${b}"`).join(', ')}`,
    );
    return false;
  }
  return entries.map((e) => (TRUST_PROXY_PRESETS.includes(e.toLowerCase()) ? e.toLowerCase() : e));
}

function isAddressOrCidr(entry: string): boolean {
  const slash = entry.indexOf('/');
  const address = slash < 0 ? entry : entry.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return false;
  if (slash < 0) return true;
  const bits = entry.slice(slash + 1);
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

const SIMPLE_EMAIL = /^[^\s@<>,]+@[^\s@<>,]+\.[^\s@<>,]+$/;

function loadEmailConfig(r: EnvReader): EmailConfig {
  const email: EmailConfig = {
    sendgridApiKey: r.raw('SENDGRID_API_KEY'),
    sendgridFromEmail: r.raw('SENDGRID_FROM_EMAIL'),
    sendgridApiUrl: r.raw('SENDGRID_API_URL'),
    smtpUrl: r.raw('SMTP_URL'),
    emailFrom: r.raw('EMAIL_FROM'),
    notificationEmail: r.raw('NOTIFICATION_EMAIL'),
    inboundDomain: r.raw('EMAIL_INBOUND_DOMAIN')?.toLowerCase(),
    replyPrefix: r.matching('EMAIL_REPLY_PREFIX', /^[a-z0-9][a-z0-9_-]{0,15}$/, 'task', 'lower-case letters, digits, _ or - (at most 16)'),
    signingSecret: r.raw('EMAIL_SIGNING_SECRET'),
    allowedSenders: (r.raw('EMAIL_ALLOWED_SENDERS') ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
    publicUrl: r.raw('PUBLIC_URL'),
    inboundRateLimitPerMinute: r.int('EMAIL_INBOUND_RATE_LIMIT_PER_MINUTE', 120, 0),
    sendAttempts: r.int('EMAIL_SEND_ATTEMPTS', 6, 1, 100),
    sendBackoffMs: r.int('EMAIL_SEND_BACKOFF_MS', 1000, 10, 3_600_000),
    resendSweepIntervalMs: r.int('EMAIL_RESEND_INTERVAL_MS', 30_000, 100, 3_600_000),
  };
  if (email.sendgridApiUrl) r.url('SENDGRID_API_URL', email.sendgridApiUrl, ['http', 'https']);
  if (email.smtpUrl) r.url('SMTP_URL', email.smtpUrl, ['smtp', 'smtps']);
  if (email.publicUrl) r.url('PUBLIC_URL', email.publicUrl, ['http', 'https']);
  if (email.sendgridApiKey && !email.sendgridFromEmail) r.problems.push('SENDGRID_API_KEY is set but SENDGRID_FROM_EMAIL is missing');
  if (email.smtpUrl && !email.sendgridApiKey && !email.emailFrom && !email.sendgridFromEmail) {
    r.problems.push('SMTP_URL is set but neither EMAIL_FROM nor SENDGRID_FROM_EMAIL is');
  }
  if (email.notificationEmail && !SIMPLE_EMAIL.test(email.notificationEmail)) {
    r.problems.push(`NOTIFICATION_EMAIL is not an email address: "${email.notificationEmail}"`);
  }
  if (email.inboundDomain) {
    if (/[\s@/:]/.test(email.inboundDomain)) r.problems.push(`EMAIL_INBOUND_DOMAIN must be a bare domain, got "${email.inboundDomain}"`);
    if (!email.signingSecret) r.problems.push('EMAIL_SIGNING_SECRET is required when EMAIL_INBOUND_DOMAIN is set (a long random string)');
  }
  const basic = r.raw('EMAIL_INBOUND_BASIC_AUTH');
  if (basic !== undefined) {
    const sep = basic.indexOf(':');
    if (sep < 1 || sep === basic.length - 1) r.problems.push('EMAIL_INBOUND_BASIC_AUTH must look like user:password');
    else email.inboundBasicAuth = { user: basic.slice(0, sep), password: basic.slice(sep + 1) };
  }
  const publicKey = r.raw('SENDGRID_INBOUND_PUBLIC_KEY');
  if (publicKey !== undefined) {
    try {
      parseWebhookPublicKey(publicKey);
      email.sendgridInboundPublicKey = publicKey;
    } catch (err) {
      r.problems.push(`SENDGRID_INBOUND_PUBLIC_KEY is not an ECDSA P-256 public key (base64 DER or PEM): ${(err as Error).message}`);
    }
  }
  for (const sender of email.allowedSenders) {
    if (!SIMPLE_EMAIL.test(sender)) r.problems.push(`EMAIL_ALLOWED_SENDERS: "${sender}" is not an email address`);
  }
  return email;
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
  if (!config.email.inboundBasicAuth && !config.email.sendgridInboundPublicKey) {
    warnings.push(
      'POST /v1/email/inbound is open: neither EMAIL_INBOUND_BASIC_AUTH nor SENDGRID_INBOUND_PUBLIC_KEY is set, so anyone can post to it' +
        (config.email.inboundDomain ? '' : ' (replies are refused until EMAIL_INBOUND_DOMAIN is set, but every post is recorded)'),
    );
  }
  if (config.email.signingSecret && config.email.signingSecret.length < RECOMMENDED_TOKEN_LENGTH) {
    warnings.push(`EMAIL_SIGNING_SECRET is shorter than ${RECOMMENDED_TOKEN_LENGTH} characters`);
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
