/**
 * Secret redaction for streamed agent output (DESIGN 6). Values of the worker's env vars named
 * like *_TOKEN, *_KEY, *_SECRET, *_PASSWORD (6+ chars) and well-known token shapes are replaced.
 */
export const REDACTED = '[REDACTED]';

const SECRET_NAME = /(_TOKEN|_KEY|_SECRET|_PASSWORD|_PASSWD|_CREDENTIALS?)$|^(TOKEN|KEY|SECRET|PASSWORD)$/i;
const MIN_SECRET_LENGTH = 6;

/** Token shapes that are secret wherever they appear (provider prefixes). */
const TOKEN_PATTERNS: RegExp[] = [
  /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}/g, // Anthropic / OpenAI keys
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, // Slack
  /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g, // SendGrid
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key id
  /\bAIza[0-9A-Za-z_-]{35}\b/g, // Google API key
  /\bglpat-[A-Za-z0-9_-]{20,}/g, // GitLab
  /\bcf_[A-Za-z0-9_-]{43}/g, // Codefleet API tokens issued by /v1/admin/tokens
];

export function secretValuesFromEnv(env: NodeJS.ProcessEnv): string[] {
  const values = Object.entries(env)
    .filter(([name, value]) => SECRET_NAME.test(name) && typeof value === 'string' && value.length >= MIN_SECRET_LENGTH)
    .map(([, value]) => value as string);
  // Longest first, so a secret that contains another is replaced whole.
  return [...new Set(values)].sort((a, b) => b.length - a.length);
}

export class Redactor {
  /** Longest literal secret: the streaming redactor holds back this much minus one. */
  readonly longestSecret: number;

  constructor(private readonly secrets: string[]) {
    this.longestSecret = secrets.reduce((n, s) => Math.max(n, s.length), 0);
  }

  static fromEnv(env: NodeJS.ProcessEnv, extra: string[] = []): Redactor {
    return new Redactor([...new Set([...secretValuesFromEnv(env), ...extra.filter((s) => s.length >= MIN_SECRET_LENGTH)])].sort((a, b) => b.length - a.length));
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    for (const pattern of TOKEN_PATTERNS) out = out.replace(pattern, REDACTED);
    return out;
  }
}

/**
 * Redacts a stream split at arbitrary points: it holds back the tail that could be the start
 * of a secret until the next piece (or the end) shows whether it is one.
 */
export class StreamRedactor {
  private pending = '';
  // Token patterns are bounded by ~100 chars in practice; literal secrets by their length.
  private readonly holdBack: number;

  constructor(private readonly redactor: Redactor) {
    this.holdBack = Math.max(redactor.longestSecret, 128);
  }

  push(piece: string): string {
    const text = this.pending + piece;
    // Cut at the last newline before the hold-back window when possible: secrets never span lines.
    let cut = Math.max(0, text.length - this.holdBack);
    const newline = text.lastIndexOf('\n');
    if (newline >= 0 && newline + 1 > cut) cut = newline + 1;
    const ready = text.slice(0, cut);
    this.pending = text.slice(cut);
    return this.redactor.redact(ready);
  }

  end(): string {
    const rest = this.redactor.redact(this.pending);
    this.pending = '';
    return rest;
  }
}
