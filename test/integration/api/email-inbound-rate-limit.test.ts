/**
 * The public inbound webhook is rate limited per client address before anything else happens:
 * throttled posts get 429 with Retry-After and leave no row behind.
 */
import { DataSource } from 'typeorm';
import { configWarnings, loadApiConfig } from '../../../apps/api/src/config/api-config';
import { startTestApi, type TestApi } from '../../support/api-harness';

const USER = 'sendgrid';
const PASSWORD = 'rate-limit-password-0123456789';

const inboundRows = async (api: TestApi) =>
  ((await api.app.get(DataSource).query(`SELECT count(*)::int AS n FROM emails WHERE direction = 'inbound'`)) as Array<{ n: number }>)[0].n;

const postReply = (api: TestApi, password = PASSWORD) =>
  api
    .anonymous()
    .post('/v1/email/inbound')
    .auth(USER, password)
    .field('from', 'someone@example.com')
    .field('to', 'not-a-reply-address@example.com')
    .field('subject', 'hello')
    .field('text', 'hi')
    .field('headers', `Message-ID: <rl-${Math.random()}@example.com>\r\n`);

describe('inbound webhook rate limit', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({
      EMAIL_INBOUND_BASIC_AUTH: `${USER}:${PASSWORD}`,
      EMAIL_INBOUND_RATE_LIMIT_PER_MINUTE: '3',
      EMAIL_INBOUND_DOMAIN: 'in.codefleet.test',
      EMAIL_SIGNING_SECRET: 'rate-limit-signing-secret-0123456789',
    });
  });
  afterAll(() => api?.close());

  it('answers 429 with Retry-After and the JSON error shape past the limit, recording nothing for throttled posts', async () => {
    // Wrong credentials count too: the limit also slows down password guessing.
    expect((await postReply(api, 'guess')).status).toBe(403);
    expect((await postReply(api)).body).toMatchObject({ status: 'rejected', reason: 'no_reply_address' });
    expect((await postReply(api)).status).toBe(200);
    const rows = await inboundRows(api);
    expect(rows).toBe(3);

    const throttled = await postReply(api).expect(429);
    expect(throttled.body).toEqual({ statusCode: 429, error: 'Too Many Requests', message: expect.stringMatching(/Too many inbound email posts/) });
    const retryAfter = Number(throttled.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await postReply(api, 'guess')).status).toBe(429);
    expect(await inboundRows(api)).toBe(rows);
  });

  it('does not limit the authenticated API routes with it', async () => {
    await api.get('/v1/email/test-reply-address?session_id=ses_x&recipient=a@example.com').expect(200);
  });
});

describe('inbound webhook rate limit off', () => {
  let api: TestApi;
  beforeAll(async () => (api = await startTestApi({ EMAIL_INBOUND_BASIC_AUTH: `${USER}:${PASSWORD}`, EMAIL_INBOUND_RATE_LIMIT_PER_MINUTE: '0' })));
  afterAll(() => api?.close());

  it('EMAIL_INBOUND_RATE_LIMIT_PER_MINUTE=0 lets every post through', async () => {
    for (let i = 0; i < 8; i++) expect((await postReply(api)).status).toBe(200);
    expect(await inboundRows(api)).toBe(8);
  });
});

describe('open inbound route warning', () => {
  const base = { DATABASE_URL: 'postgres://u@h:5432/d', REDIS_URL: 'redis://h:6379', AUTH_DISABLED: 'true' };

  it('warns at start when the inbound route has neither Basic auth nor a signature key', () => {
    expect(configWarnings(loadApiConfig(base)).join('\n')).toMatch(/POST \/v1\/email\/inbound is open/);
    expect(configWarnings(loadApiConfig({ ...base, EMAIL_INBOUND_BASIC_AUTH: `${USER}:${PASSWORD}` })).join('\n')).not.toMatch(/inbound is open/);
  });

  it('refuses a negative limit', () => {
    expect(() => loadApiConfig({ ...base, EMAIL_INBOUND_RATE_LIMIT_PER_MINUTE: '-1' })).toThrow(/EMAIL_INBOUND_RATE_LIMIT_PER_MINUTE/);
  });
});
