import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthToken } from '../config/api-config';
import type { TokenIdentity } from './token-scope';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Finds the configured token a bearer value matches. Digests make every comparison the same
 * length, and every token is compared (no early exit), so timing reveals nothing about them.
 */
export class TokenMatcher {
  private readonly tokens: { identity: TokenIdentity; digest: Buffer }[];

  constructor(tokens: AuthToken[]) {
    this.tokens = tokens.map(({ token, ...identity }) => ({ identity, digest: digest(token) }));
  }

  /** The identity (name, scope, bound worker) of the matching token, or null. */
  match(presented: string): TokenIdentity | null {
    const candidate = digest(presented);
    let found: TokenIdentity | null = null;
    for (const t of this.tokens) {
      if (timingSafeEqual(candidate, t.digest) && found === null) found = t.identity;
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
