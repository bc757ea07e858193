import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import { apiError } from '../common/api-error';
import { ApiTokenRepository } from './api-tokens/api-token.repository';
import { ISSUED_TOKEN_PREFIX, tokenHash } from './api-tokens/token-secret';
import { ExpiringCache } from './expiring-cache';
import { TokenMatcher } from './token-matcher';
import type { TokenIdentity } from './token-scope';

/** A token found in api_tokens (with its row id, for last_used_at and revocation), or a miss. */
type Found = { id: string; identity: TokenIdentity } | null;

/** Enough for every token of a large fleet plus some misses. */
const MAX_CACHED = 10_000;
/** last_used_at is a hint for people, not an audit log: one write per token per minute. */
const LAST_USED_EVERY_MS = 60_000;

/**
 * Who a bearer token speaks for. A2A_AUTH_TOKENS first (the bootstrap admin; works without
 * PostgreSQL), then api_tokens by SHA-256. Lookups, hits and misses, are cached per replica for
 * AUTH_TOKEN_CACHE_MS (default 5 s), so a burst of worker callbacks costs one query; a revoke
 * is seen at once by the replica that handled it and within that window by the others.
 */
@Injectable()
export class TokenLookup {
  private readonly logger = new Logger(TokenLookup.name);
  private readonly envTokens: TokenMatcher;
  private readonly cache = new ExpiringCache<string, Found>(MAX_CACHED);
  /** One query per hash at a time: concurrent requests with the same token share it. */
  private readonly inFlight = new Map<string, Promise<Found>>();
  private readonly lastUseNoted = new Map<string, number>();
  /** Bumped by forget(): a query that started before a revoke must not cache what it read. */
  private generation = 0;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly tokens: ApiTokenRepository,
  ) {
    this.envTokens = new TokenMatcher(config.authTokens);
  }

  /** The identity of a valid token, or null (unknown, revoked or expired). 503 when PostgreSQL cannot be asked. */
  async identify(presented: string): Promise<TokenIdentity | null> {
    const fromEnv = this.envTokens.match(presented);
    if (fromEnv) return fromEnv;
    // Only issued tokens are in the table: anything else is unknown without a query (or a cache entry).
    if (!presented.startsWith(ISSUED_TOKEN_PREFIX)) return null;
    // Equality on a hash: timing can only tell an attacker about the hash, never about a token.
    const hash = tokenHash(presented);
    const now = Date.now();
    let found = this.cache.get(hash, now);
    if (found === undefined) found = await this.fetch(hash);
    if (found) this.noteUse(found.id, now);
    return found?.identity ?? null;
  }

  /** Forgets a token on this replica at once (after a revoke here). */
  forget(tokenId: string): void {
    this.generation++;
    this.cache.deleteWhere((found) => found?.id === tokenId);
    // Requests from now on must not share a query that may have read the row before the revoke.
    this.inFlight.clear();
  }

  private fetch(hash: string): Promise<Found> {
    const pending = this.inFlight.get(hash);
    if (pending) return pending;
    const query = this.query(hash).finally(() => {
      if (this.inFlight.get(hash) === query) this.inFlight.delete(hash);
    });
    this.inFlight.set(hash, query);
    return query;
  }

  private async query(hash: string): Promise<Found> {
    const startedIn = this.generation;
    let row;
    try {
      row = await this.tokens.findActiveByHash(hash);
    } catch (err) {
      this.logger.error({ msg: 'api token lookup failed', err: (err as Error).message });
      throw apiError(503, 'Cannot check the bearer token right now (token store unavailable); retry shortly');
    }
    const found: Found = row ? { id: row.id, identity: identityOf(row) } : null;
    const ttl = this.config.authTokenCacheMs;
    if (ttl > 0 && startedIn === this.generation) {
      const now = Date.now();
      // Never remember a token past its own expiry.
      const expires = row?.expires_at ? new Date(row.expires_at).getTime() : Infinity;
      this.cache.set(hash, found, Math.min(now + ttl, expires));
    }
    return found;
  }

  /** Fire-and-forget: a failed write is logged and never fails the request. */
  private noteUse(tokenId: string, now: number): void {
    const last = this.lastUseNoted.get(tokenId);
    if (last !== undefined && now - last < LAST_USED_EVERY_MS) return;
    this.lastUseNoted.set(tokenId, now);
    this.tokens.touchLastUsed(tokenId).catch((err: Error) => this.logger.warn({ msg: 'could not record token use', token_id: tokenId, err: err.message }));
  }
}

function identityOf(row: { name: string; scope: TokenIdentity['scope']; worker_id: string | null }): TokenIdentity {
  return row.scope === 'worker' && row.worker_id ? { name: row.name, scope: 'worker', workerId: row.worker_id } : { name: row.name, scope: row.scope };
}
