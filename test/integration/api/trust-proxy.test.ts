/**
 * TRUST_PROXY: behind a load balancer every request comes from the balancer's address, so the
 * per-client limits need the client's address from X-Forwarded-For, but only from trusted hops:
 * without TRUST_PROXY a client cannot dodge a limit by sending its own X-Forwarded-For.
 */
import { ConfigError, loadApiConfig } from '../../../apps/api/src/config/api-config';
import { startTestApi, type TestApi } from '../../support/api-harness';

const postInbound = (api: TestApi, forwardedFor: string) =>
  api
    .anonymous()
    .post('/v1/email/inbound')
    .set('X-Forwarded-For', forwardedFor)
    .field('from', 'someone@example.com')
    .field('to', 'nobody@example.com')
    .field('subject', 'hello')
    .field('text', 'hi')
    .field('headers', `Message-ID: <tp-${Math.random()}@example.com>\r\n`);

describe('TRUST_PROXY=loopback (a proxy on the same host)', () => {
  let api: TestApi;
  beforeAll(async () => (api = await startTestApi({ TRUST_PROXY: 'loopback', EMAIL_INBOUND_RATE_LIMIT_PER_MINUTE: '2', RATE_LIMIT_PER_MINUTE: '3' })));
  afterAll(() => api?.close());

  it('gives each forwarded client its own inbound email budget', async () => {
    expect((await postInbound(api, '203.0.113.10')).status).toBe(200);
    expect((await postInbound(api, '203.0.113.10')).status).toBe(200);
    expect((await postInbound(api, '203.0.113.10')).status).toBe(429);
    // Another client behind the same proxy is not throttled by the first one's posts.
    expect((await postInbound(api, '203.0.113.20')).status).toBe(200);
    // The last hop counts: a client cannot pick its address by prepending one (the proxy appends the real one).
    expect((await postInbound(api, '198.51.100.1, 203.0.113.10')).status).toBe(429);
  });

  it('gives each forwarded client its own general rate limit budget', async () => {
    const list = (client: string) => api.get('/v1/agent/workers').set('X-Forwarded-For', client);
    for (let i = 0; i < 3; i++) expect((await list('203.0.113.30')).status).toBe(200);
    expect((await list('203.0.113.30')).status).toBe(429);
    expect((await list('203.0.113.40')).status).toBe(200);
  });
});

describe('TRUST_PROXY unset (the default)', () => {
  let api: TestApi;
  beforeAll(async () => (api = await startTestApi({ EMAIL_INBOUND_RATE_LIMIT_PER_MINUTE: '2' })));
  afterAll(() => api?.close());

  it('ignores X-Forwarded-For, so spoofing it does not get around the limit', async () => {
    expect(api.config.trustProxy).toBe(false);
    expect((await postInbound(api, '203.0.113.1')).status).toBe(200);
    expect((await postInbound(api, '203.0.113.2')).status).toBe(200);
    const third = await postInbound(api, '203.0.113.3');
    expect(third.status).toBe(429);
    expect(third.headers['retry-after']).toBeDefined();
  });
});

describe('TRUST_PROXY values', () => {
  const base = { DATABASE_URL: 'postgres://u@h:5432/d', REDIS_URL: 'redis://h:6379', AUTH_DISABLED: 'true' };
  const trustProxy = (value: string) => loadApiConfig({ ...base, TRUST_PROXY: value }).trustProxy;

  it('accepts false, true, a hop count and lists of addresses, CIDRs and presets', () => {
    expect(loadApiConfig(base).trustProxy).toBe(false);
    expect(trustProxy('false')).toBe(false);
    expect(trustProxy('TRUE')).toBe(true);
    expect(trustProxy('2')).toBe(2);
    expect(trustProxy('Loopback, 10.0.0.0/8,fd00::/8, 192.168.1.7')).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8', '192.168.1.7']);
  });

  it('refuses to start on a value Express would not understand, naming it', () => {
    for (const bad of ['10.0.0.0/33', 'my-balancer', 'loopback,300.1.1.1', '101', 'fd00::/129', ',']) {
      let error: unknown;
      try {
        trustProxy(bad);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.join('\n')).toMatch(/TRUST_PROXY/);
    }
  });
});
