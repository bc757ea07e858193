import { ConfigError, configWarnings, loadApiConfig } from './api-config';

const base = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/db',
  REDIS_URL: 'redis://127.0.0.1:6379',
  A2A_AUTH_TOKENS: 'admin:0123456789abcdef0123',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadApiConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('loadApiConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadApiConfig(base);
    expect(c).toMatchObject({
      port: 8000,
      heartbeatIntervalS: 10,
      workerOfflineAfterMissed: 3,
      sessionSyncIntervalS: 60,
      reconcileIntervalMs: 5000,
      queuePrefix: 'bull',
      shareRedisUrl: true,
      metricsPublic: true,
      bodyLimit: '1mb',
      authDisabled: false,
    });
    expect(c.authTokens).toEqual([{ name: 'admin', scope: 'admin', token: '0123456789abcdef0123' }]);
  });

  it('names every missing or wrong variable at once', () => {
    const problems = problemsOf({ PORT: 'eighty', A2A_AUTH_TOKENS: 'admin:x', HEARTBEAT_INTERVAL_S: '0' });
    expect(problems.join('\n')).toMatch(/DATABASE_URL is required/);
    expect(problems.join('\n')).toMatch(/REDIS_URL \(or A2A_REDIS_URL\) is required/);
    expect(problems.join('\n')).toMatch(/PORT must be an integer/);
    expect(problems.join('\n')).toMatch(/HEARTBEAT_INTERVAL_S must be an integer/);
  });

  it('accepts A2A_REDIS_URL in place of REDIS_URL', () => {
    const c = loadApiConfig({ ...base, REDIS_URL: '', A2A_REDIS_URL: 'redis://redis:6379' });
    expect(c.redisUrl).toBe('redis://redis:6379');
  });

  it('refuses to start without tokens unless auth is explicitly disabled', () => {
    expect(problemsOf({ ...base, A2A_AUTH_TOKENS: '' }).join()).toMatch(/AUTH_DISABLED=true/);
    expect(loadApiConfig({ ...base, A2A_AUTH_TOKENS: '', AUTH_DISABLED: 'true' }).authDisabled).toBe(true);
  });

  it('rejects malformed token entries and keeps colons inside tokens', () => {
    expect(problemsOf({ ...base, A2A_AUTH_TOKENS: 'justatoken' }).join()).toMatch(/name:token/);
    expect(loadApiConfig({ ...base, A2A_AUTH_TOKENS: 'ci:abc:def:0123456789abcdef' }).authTokens[0].token).toBe('abc:def:0123456789abcdef');
  });

  it('warns about short tokens and disabled auth', () => {
    const warnings = configWarnings(loadApiConfig({ ...base, A2A_AUTH_TOKENS: 'dev:short', AUTH_DISABLED: 'true' }));
    expect(warnings.join('\n')).toMatch(/"dev" is shorter than 16/);
    expect(warnings.join('\n')).toMatch(/AUTH_DISABLED/);
  });

  it('rejects a queue prefix with a colon', () => {
    expect(problemsOf({ ...base, QUEUE_PREFIX: 'a:b' }).join()).toMatch(/QUEUE_PREFIX/);
  });
});
