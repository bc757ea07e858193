import { createHash, randomBytes } from 'node:crypto';

/** Marks Codefleet tokens, so they are easy to spot (and redact) in logs and config files. */
export const ISSUED_TOKEN_PREFIX = 'cf_';
/** How much of a token is kept in clear for people to recognise it. */
export const TOKEN_PREFIX_LENGTH = 8;

/** `cf_` + 32 random bytes in base64url (256 bits): shown once to whoever asked for it. */
export function newTokenSecret(): string {
  return ISSUED_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * SHA-256 hex of a token: what the api_tokens table stores and is searched by. A fast hash is
 * enough here because issued tokens are 256 random bits, not passwords: nobody can guess them
 * back from the hash, and a slow hash (bcrypt, scrypt) would only cost CPU on every request.
 */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export const tokenPrefix = (token: string): string => token.slice(0, TOKEN_PREFIX_LENGTH);
