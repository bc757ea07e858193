import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthToken } from '../config/api-config';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Finds the configured token a bearer value matches. Digests make every comparison the same
 * length, and every token is compared (no early exit), so timing reveals nothing about them.
 */
export class TokenMatcher {
  private readonly tokens: { name: string; digest: Buffer }[];

  constructor(tokens: AuthToken[]) {
    this.tokens = tokens.map((t) => ({ name: t.name, digest: digest(t.token) }));
  }

  match(presented: string): string | null {
    const candidate = digest(presented);
    let found: string | null = null;
    for (const t of this.tokens) {
      if (timingSafeEqual(candidate, t.digest) && found === null) found = t.name;
    }
    return found;
  }
}

/** `Bearer <token>` (scheme case-insensitive) -> token; anything else -> null. */
export function bearerToken(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  const m = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return m ? m[1] : null;
}
