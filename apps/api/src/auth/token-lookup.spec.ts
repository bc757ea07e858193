import type { ApiConfig } from '../config/api-config';
import type { ActiveApiToken, ApiTokenRepository } from './api-tokens/api-token.repository';
import { tokenHash } from './api-tokens/token-secret';
import { TokenLookup } from './token-lookup';

/** api_tokens in memory, counting the lookups the guard would send to PostgreSQL. */
class CountingTokens {
  queries = 0;
  touches: string[] = [];
  readonly rows = new Map<string, ActiveApiToken>();

  async findActiveByHash(hash: string): Promise<ActiveApiToken | null> {
    this.queries += 1;
    await new Promise((r) => setImmediate(r));
    return this.rows.get(hash) ?? null;
  }

  async touchLastUsed(id: string): Promise<void> {
    this.touches.push(id);
  }
}

const ISSUED = 'cf_issued-token-0123456789abcdefghijklmnopq';

function lookupWith(cacheMs: number) {
  const tokens = new CountingTokens();
  tokens.rows.set(tokenHash(ISSUED), { id: 'tok_1', name: 'box1', scope: 'worker', worker_id: 'w1', expires_at: null });
  const config = { authTokens: [{ name: 'admin', scope: 'admin', token: 'env-admin-token-0123456789' }], authTokenCacheMs: cacheMs } as ApiConfig;
  return { tokens, lookup: new TokenLookup(config, tokens as unknown as ApiTokenRepository) };
}

describe('TokenLookup', () => {
  it('answers A2A_AUTH_TOKENS without asking the table', async () => {
    const { tokens, lookup } = lookupWith(5000);
    expect(await lookup.identify('env-admin-token-0123456789')).toEqual({ name: 'admin', scope: 'admin' });
    expect(tokens.queries).toBe(0);
  });

  it('a burst with one token costs one query; a miss is remembered too', async () => {
    const { tokens, lookup } = lookupWith(5000);
    const burst = await Promise.all(Array.from({ length: 50 }, () => lookup.identify(ISSUED)));
    expect(burst.every((id) => id?.workerId === 'w1' && id.scope === 'worker' && id.name === 'box1')).toBe(true);
    await lookup.identify(ISSUED);
    expect(tokens.queries).toBe(1);
    expect(await lookup.identify('cf_unknown')).toBeNull();
    expect(await lookup.identify('cf_unknown')).toBeNull();
    expect(tokens.queries).toBe(2);
    expect(tokens.touches).toEqual(['tok_1']); // once a minute at most
  });

  it('forget() drops a revoked token at once; without a cache every request asks', async () => {
    const { tokens, lookup } = lookupWith(5000);
    await lookup.identify(ISSUED);
    tokens.rows.clear();
    lookup.forget('tok_1');
    expect(await lookup.identify(ISSUED)).toBeNull();

    const uncached = lookupWith(0);
    await uncached.lookup.identify(ISSUED);
    await uncached.lookup.identify(ISSUED);
    expect(uncached.tokens.queries).toBe(2);
  });

  it('a lookup in flight while a token is revoked does not cache the row it read before the revoke', async () => {
    const { tokens, lookup } = lookupWith(5000);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const read = tokens.findActiveByHash.bind(tokens);
    tokens.findActiveByHash = async (hash: string) => {
      const row = await read(hash); // read while the token is still active...
      await gate; // ...and answer after the revoke
      return row;
    };
    const before = lookup.identify(ISSUED);
    await new Promise((r) => setImmediate(r));
    tokens.rows.clear();
    lookup.forget('tok_1');
    release();
    expect(await before).toMatchObject({ name: 'box1' }); // that request started before the revoke
    expect(await lookup.identify(ISSUED)).toBeNull();
  });

  it('tokens without the issued prefix are unknown without a query or a cache entry', async () => {
    const { tokens, lookup } = lookupWith(5000);
    expect(await lookup.identify('not-an-issued-token-0123456789')).toBeNull();
    expect(await lookup.identify('not-an-issued-token-0123456789')).toBeNull();
    expect(tokens.queries).toBe(0);
  });

  it('PostgreSQL down: issued tokens get 503, A2A_AUTH_TOKENS still work', async () => {
    const { tokens, lookup } = lookupWith(5000);
    tokens.findActiveByHash = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    await expect(lookup.identify(ISSUED)).rejects.toMatchObject({ status: 503 });
    expect(await lookup.identify('env-admin-token-0123456789')).toEqual({ name: 'admin', scope: 'admin' });
  });
});
