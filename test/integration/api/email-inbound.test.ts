import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { DataSource } from 'typeorm';
import { replyAddressForTask, verifyReplyAddress } from '#domain';
import { startTestApi, type TestApi } from '../../support/api-harness';
import { FakeWorker } from '../../support/fake-worker';

const SECRET = 'inbound-test-signing-secret-0123456789';
const DOMAIN = 'in.codefleet.test';
const USER = 'sendgrid';
const PASSWORD = 'inbound-basic-password-0123';
const OWNER = 'owner@example.com';

interface Post {
  from: string;
  to: string;
  subject?: string;
  text?: string;
  messageId?: string;
  extraHeaders?: string;
  envelopeTo?: string[];
}

describe('inbound email webhook', () => {
  let api: TestApi;
  let worker: FakeWorker;
  let codebaseId: string;
  let originalTaskId: string;
  let seq = 0;
  const db = () => api.app.get(DataSource);
  const address = (recipient: string, sessionId = 'ses_in1') =>
    replyAddressForTask({ taskId: 'unused', sessionId, recipient, secret: SECRET, domain: DOMAIN }).address;
  const taskCount = async () => ((await db().query(`SELECT count(*)::int AS n FROM tasks`)) as Array<{ n: number }>)[0].n;
  const inboundRow = async (id: string) => ((await db().query(`SELECT * FROM emails WHERE id = $1`, [id])) as Array<Record<string, unknown>>)[0];

  const post = (p: Post, auth: 'ok' | 'none' | 'wrong' = 'ok', path = '/v1/email/inbound') => {
    const messageId = p.messageId ?? `<msg-${++seq}-${Date.now()}@mail.example.com>`;
    let req = api.anonymous().post(path);
    if (auth === 'ok') req = req.auth(USER, PASSWORD);
    if (auth === 'wrong') req = req.auth(USER, 'nope');
    return req
      .field('from', p.from)
      .field('to', p.to)
      .field('subject', p.subject ?? 'Re: [Codefleet] Task completed: Fix it')
      .field('text', p.text ?? 'Please also update the changelog.\n\n> quoted old text\n')
      .field('headers', `Message-ID: ${messageId}\r\nFrom: ${p.from}\r\nTo: ${p.to}\r\n${p.extraHeaders ?? ''}`)
      .field('envelope', JSON.stringify({ to: p.envelopeTo ?? [p.to], from: p.from.replace(/.*</, '').replace(/>.*/, '') }))
      .field('charsets', JSON.stringify({ from: 'UTF-8', to: 'UTF-8', subject: 'UTF-8', text: 'UTF-8' }))
      .field('SPF', 'pass');
  };

  beforeAll(async () => {
    api = await startTestApi({
      EMAIL_INBOUND_DOMAIN: DOMAIN,
      EMAIL_SIGNING_SECRET: SECRET,
      EMAIL_INBOUND_BASIC_AUTH: `${USER}:${PASSWORD}`,
      EMAIL_ALLOWED_SENDERS: 'Lead@Example.com',
    });
    worker = new FakeWorker(api, 'inbound-worker');
    await worker.register();
    codebaseId = (await worker.addCodebase('/srv/inbound')).id;
    const task = (await api.post(`/v1/agent/codebases/${codebaseId}/tasks`, { prompt: 'Fix it', metadata: { notify_email: OWNER } }).expect(201)).body as { id: string };
    const claim = await worker.claim(task.id);
    await worker.report(task.id, claim.attempt, 'completed', { session_id: 'ses_in1' }).expect(200);
    originalTaskId = task.id;
    // What the notification would have recorded (this app has no outbound transport configured).
    await db().query(
      `INSERT INTO emails (id, direction, task_id, session_id, recipient, status) VALUES ('em_seed', 'outbound', $1, 'ses_in1', $2, 'sent')`,
      [originalTaskId, OWNER],
    );
  });
  afterAll(() => api?.close());

  it('accepts a signed reply from the recipient: a continuation task resuming the session', async () => {
    const res = await post({ from: `Owner <${OWNER}>`, to: address(OWNER), subject: 'Re: done [model:openai/gpt-5]' }).expect(200);
    expect(res.body).toMatchObject({ status: 'accepted', task_id: expect.stringMatching(/^task_/) });
    const task = (await api.get(`/v1/agent/tasks/${res.body.task_id}`).expect(200)).body;
    expect(task).toMatchObject({ codebase_id: codebaseId, prompt: 'Please also update the changelog.', status: 'pending' });
    expect(task.metadata).toMatchObject({ resume_session_id: 'ses_in1', notify_email: OWNER, model: 'openai/gpt-5', parent_task_id: originalTaskId });
    expect(await inboundRow(res.body.email_id)).toMatchObject({ direction: 'inbound', status: 'accepted', created_task_id: res.body.task_id, sender: OWNER });
  });

  it('rejects a replayed Message-ID and records it', async () => {
    const messageId = '<replayed-1@mail.example.com>';
    const first = await post({ from: OWNER, to: address(OWNER), messageId }).expect(200);
    expect(first.body.status).toBe('accepted');
    const before = await taskCount();
    const again = await post({ from: OWNER, to: address(OWNER), messageId }).expect(200);
    expect(again.body).toMatchObject({ status: 'rejected', reason: 'duplicate_message_id' });
    expect(await inboundRow(again.body.email_id)).toMatchObject({ status: 'rejected', reason: 'duplicate_message_id', message_id: messageId });
    expect(await taskCount()).toBe(before);
  });

  const rejections: Array<[string, () => Post, RegExp]> = [
    ['an unsigned (documented legacy) address', () => ({ from: OWNER, to: `task+ses_in1@${DOMAIN}` }), /^unsigned_address$/],
    ['a forged signature', () => ({ from: OWNER, to: `task+sses_in1.abcdefghijklmnop@${DOMAIN}` }), /^bad_signature_address$/],
    ['a genuine address used by another sender', () => ({ from: 'mallory@evil.example', to: address(OWNER) }), /^sender_not_recipient$/],
    ['a validly signed address for an unknown session', () => ({ from: OWNER, to: address(OWNER, 'ses_other') }), /^unknown_session$/],
    ['an out-of-office reply', () => ({ from: OWNER, to: address(OWNER), extraHeaders: 'Auto-Submitted: auto-replied\r\n' }), /^auto_reply/],
    ['a bounce', () => ({ from: 'MAILER-DAEMON@mail.example.com', to: address(OWNER), subject: 'Undeliverable: x', extraHeaders: 'Return-Path: <>\r\n' }), /^auto_reply/],
    ['mail to an address that is not a reply address', () => ({ from: OWNER, to: `someone@${DOMAIN}` }), /^no_reply_address$/],
    ['an empty reply', () => ({ from: OWNER, to: address(OWNER), text: '> only quoted text\n' }), /^empty_reply$/],
  ];
  it.each(rejections)('rejects and records %s, creating no task', async (_name, make, reason) => {
    const before = await taskCount();
    const res = await post(make()).expect(200);
    expect(res.body).toMatchObject({ status: 'rejected', reason: expect.stringMatching(reason) });
    expect(res.body.task_id).toBeUndefined();
    expect(await inboundRow(res.body.email_id)).toMatchObject({ direction: 'inbound', status: 'rejected', reason: res.body.reason, created_task_id: null });
    expect(await taskCount()).toBe(before);
  });

  it('decodes non-ASCII fields by the charsets SendGrid reports (fields read as raw bytes)', async () => {
    // A hand-built post: the text field is ISO-8859-1 bytes, as SendGrid sends an Outlook reply.
    const boundary = 'xYzBoundary';
    const part = (name: string, value: Buffer | string) =>
      Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`), Buffer.from(value), Buffer.from('\r\n')]);
    const body = Buffer.concat([
      part('from', OWNER),
      part('to', address(OWNER)),
      part('subject', 'Re: Ergebnis'),
      part('headers', `Message-ID: <latin1-${Date.now()}@mail.example.com>\r\nFrom: ${OWNER}\r\n`),
      part('envelope', JSON.stringify({ to: [address(OWNER)], from: OWNER })),
      part('charsets', JSON.stringify({ text: 'iso-8859-1', subject: 'UTF-8', from: 'UTF-8', to: 'UTF-8' })),
      part('text', Buffer.from('Bitte prüfen: Grüße aus Köln\n', 'latin1')),
      Buffer.from(`--${boundary}--\r\n`),
    ]);
    const res = await api
      .anonymous()
      .post('/v1/email/inbound')
      .auth(USER, PASSWORD)
      .set('Content-Type', `multipart/form-data; boundary=${boundary}`)
      .send(body)
      .expect(200);
    expect(res.body.status).toBe('accepted');
    expect((await api.get(`/v1/agent/tasks/${res.body.task_id}`).expect(200)).body.prompt).toBe('Bitte prüfen: Grüße aus Köln');
    const utf8 = await post({ from: OWNER, to: address(OWNER), text: 'Bitte prüfen: Grüße 😀 — danke\n' }).expect(200);
    expect(utf8.body.status).toBe('accepted');
    const task = (await api.get(`/v1/agent/tasks/${utf8.body.task_id}`).expect(200)).body;
    expect(task.prompt).toBe('Bitte prüfen: Grüße 😀 — danke');
  });

  it('accepts raw mode (the whole MIME message in the email field), including a 25 MB attachment', async () => {
    const big = Buffer.alloc(25 * 1024 * 1024, 'a').toString('base64').replace(/.{76}/g, '$&\r\n');
    const to = address(OWNER);
    const mime = [
      `From: Owner <${OWNER}>`,
      `To: ${to}`,
      'Subject: Re: done',
      `Message-ID: <raw-${Date.now()}@mail.example.com>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      'Läuft es jetzt?',
      '',
      'On Mon, 23 Nov 2026 at 11:00, Codefleet <bot@codefleet.test> wrote:',
      '> old',
      '--b1',
      'Content-Type: application/octet-stream; name="big.bin"',
      'Content-Disposition: attachment; filename="big.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      big,
      '--b1--',
      '',
    ].join('\r\n');
    const res = await api
      .anonymous()
      .post('/v1/email/inbound')
      .auth(USER, PASSWORD)
      .field('email', mime)
      .field('to', to)
      .field('from', OWNER)
      .field('envelope', JSON.stringify({ to: [to], from: OWNER }))
      .field('charsets', JSON.stringify({ to: 'UTF-8', from: 'UTF-8' }))
      .expect(200);
    expect(res.body).toMatchObject({ status: 'accepted' });
    const task = (await api.get(`/v1/agent/tasks/${res.body.task_id}`).expect(200)).body;
    expect(task.prompt).toBe('Läuft es jetzt?');
  }, 60_000);

  it('reads the reply address from envelope.to before the To header', async () => {
    const res = await post({ from: OWNER, to: `task+sses_in1.abcdefghijklmnop@${DOMAIN}`, envelopeTo: [address(OWNER)] }).expect(200);
    expect(res.body.status).toBe('accepted');
  });

  it('accepts a sender on EMAIL_ALLOWED_SENDERS for a genuine address', async () => {
    const res = await post({ from: 'lead@example.com', to: address(OWNER) }).expect(200);
    expect(res.body).toMatchObject({ status: 'accepted' });
    const task = (await api.get(`/v1/agent/tasks/${res.body.task_id}`).expect(200)).body;
    expect(task.metadata).toMatchObject({ resume_session_id: 'ses_in1', notify_email: 'lead@example.com' });
  });

  it.each([
    ['missing', 'none', 'missing_credentials', 401],
    ['wrong', 'wrong', 'bad_credentials', 403],
  ] as const)('refuses %s webhook credentials, records it, creates no task', async (_name, auth, reason, status) => {
    const before = await taskCount();
    const res = await post({ from: OWNER, to: address(OWNER) }, auth).expect(status);
    expect(res.body).toMatchObject({ statusCode: status });
    if (status === 401) expect(res.headers['www-authenticate']).toMatch(/^Basic /);
    const rows = (await db().query(`SELECT * FROM emails WHERE reason = $1`, [reason])) as unknown[];
    expect(rows.length).toBeGreaterThan(0);
    expect(await taskCount()).toBe(before);
  });

  it('GET /v1/email/test-reply-address signs for the recipient (authenticated)', async () => {
    await api.anonymous().get(`/v1/email/test-reply-address?session_id=ses_in1&recipient=${OWNER}`).expect(401);
    const res = await api.get(`/v1/email/test-reply-address?session_id=ses_in1&recipient=${OWNER}`).expect(200);
    expect(res.body).toMatchObject({ kind: 'session', id: 'ses_in1', reply_address: address(OWNER) });
    expect(verifyReplyAddress(res.body.reply_address, OWNER, { secret: SECRET, domain: DOMAIN }).ok).toBe(true);
  });

  it('POST /v1/email/test-inbound parses without creating or recording anything (authenticated)', async () => {
    const before = await taskCount();
    const rowsBefore = ((await db().query(`SELECT count(*)::int AS n FROM emails`)) as Array<{ n: number }>)[0].n;
    await post({ from: OWNER, to: address(OWNER) }, 'none', '/v1/email/test-inbound').expect(401);
    const res = await post({ from: OWNER, to: address(OWNER), subject: 'Re: x [model:a/b]' }, 'none', '/v1/email/test-inbound')
      .set('Authorization', `Bearer test-admin-token-0123456789abcdef`)
      .expect(200);
    expect(res.body).toMatchObject({ target: { kind: 'session', id: 'ses_in1' }, address_problem: null, model: 'a/b', prompt: 'Please also update the changelog.' });
    expect(await taskCount()).toBe(before);
    expect(((await db().query(`SELECT count(*)::int AS n FROM emails`)) as Array<{ n: number }>)[0].n).toBe(rowsBefore);
  });
});

describe('signed inbound email webhook (SENDGRID_INBOUND_PUBLIC_KEY)', () => {
  let api: TestApi;
  let seq = 0;
  // SendGrid's key pair: ECDSA P-256; the public half as SendGrid shows it (base64 DER SPKI).
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const publicKeyBase64 = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  const db = () => api.app.get(DataSource);
  const address = (recipient: string) => replyAddressForTask({ taskId: 'unused', sessionId: 'ses_signed', recipient, secret: SECRET, domain: DOMAIN }).address;
  const taskCount = async () => ((await db().query(`SELECT count(*)::int AS n FROM tasks`)) as Array<{ n: number }>)[0].n;
  const refusedCount = async () =>
    ((await db().query(`SELECT count(*)::int AS n FROM emails WHERE status = 'rejected' AND reason = 'bad_webhook_signature'`)) as Array<{ n: number }>)[0].n;

  const boundary = 'signedBoundary42';
  /** A multipart body built by hand, so the test signs exactly the bytes it sends. */
  const multipart = (text = 'Signed reply: please continue.\n') => {
    const part = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    return Buffer.from(
      [
        part('from', OWNER),
        part('to', address(OWNER)),
        part('subject', 'Re: [Codefleet] Task completed'),
        part('text', text),
        part('headers', `Message-ID: <signed-${++seq}-${Date.now()}@mail.example.com>\r\nFrom: ${OWNER}\r\nTo: ${address(OWNER)}\r\n`),
        part('envelope', JSON.stringify({ to: [address(OWNER)], from: OWNER })),
        part('charsets', JSON.stringify({ from: 'UTF-8', to: 'UTF-8', subject: 'UTF-8', text: 'UTF-8' })),
        part('SPF', 'pass'),
        `--${boundary}--\r\n`,
      ].join(''),
      'utf8',
    );
  };
  const signature = (timestamp: string, body: Buffer, key: KeyObject = privateKey) => sign('sha256', Buffer.concat([Buffer.from(timestamp), body]), key).toString('base64');
  const now = () => String(Math.floor(Date.now() / 1000));
  const send = (body: Buffer, headers: Record<string, string>) => {
    let req = api.anonymous().post('/v1/email/inbound').set('Content-Type', `multipart/form-data; boundary=${boundary}`);
    for (const [name, value] of Object.entries(headers)) req = req.set(name, value);
    return req.send(body);
  };
  const signedHeaders = (timestamp: string, sig: string) => ({ 'X-Twilio-Email-Event-Webhook-Signature': sig, 'X-Twilio-Email-Event-Webhook-Timestamp': timestamp });

  beforeAll(async () => {
    api = await startTestApi({ EMAIL_INBOUND_DOMAIN: DOMAIN, EMAIL_SIGNING_SECRET: SECRET, SENDGRID_INBOUND_PUBLIC_KEY: publicKeyBase64 });
    const worker = new FakeWorker(api, 'signed-inbound-worker');
    await worker.register();
    const codebaseId = (await worker.addCodebase('/srv/signed')).id;
    const task = (await api.post(`/v1/agent/codebases/${codebaseId}/tasks`, { prompt: 'Fix it', metadata: { notify_email: OWNER } }).expect(201)).body as { id: string };
    const claim = await worker.claim(task.id);
    await worker.report(task.id, claim.attempt, 'completed', { session_id: 'ses_signed' }).expect(200);
  });
  afterAll(() => api?.close());

  it('accepts a post signed over timestamp + the raw body', async () => {
    const body = multipart();
    const ts = now();
    const res = await send(body, signedHeaders(ts, signature(ts, body))).expect(200);
    expect(res.body).toMatchObject({ status: 'accepted', task_id: expect.stringMatching(/^task_/) });
    const task = (await api.get(`/v1/agent/tasks/${res.body.task_id}`).expect(200)).body;
    expect(task).toMatchObject({ prompt: 'Signed reply: please continue.' });
    expect(task.metadata).toMatchObject({ resume_session_id: 'ses_signed', notify_email: OWNER });
  });

  it('verifies a large signed raw-mode post (25 MB attachment) read into memory within the limit', async () => {
    const big = Buffer.alloc(25 * 1024 * 1024, 'b').toString('base64').replace(/.{76}/g, '$&\r\n');
    const to = address(OWNER);
    const mime = [
      `From: Owner <${OWNER}>`,
      `To: ${to}`,
      'Subject: Re: done',
      `Message-ID: <signed-raw-${Date.now()}@mail.example.com>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Signed and large.',
      '--b1',
      'Content-Type: application/octet-stream; name="big.bin"',
      'Content-Disposition: attachment; filename="big.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      big,
      '--b1--',
      '',
    ].join('\r\n');
    const part = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const body = Buffer.from(
      [part('email', mime), part('to', to), part('from', OWNER), part('envelope', JSON.stringify({ to: [to], from: OWNER })), `--${boundary}--\r\n`].join(''),
    );
    const ts = now();
    const res = await send(body, signedHeaders(ts, signature(ts, body))).expect(200);
    expect(res.body).toMatchObject({ status: 'accepted' });
    expect((await api.get(`/v1/agent/tasks/${res.body.task_id}`).expect(200)).body.prompt).toBe('Signed and large.');
  }, 60_000);

  const refusals: Array<[string, () => { body: Buffer; headers: Record<string, string> }]> = [
    [
      'a tampered body',
      () => {
        const ts = now();
        return { body: multipart('Tampered: delete everything.\n'), headers: signedHeaders(ts, signature(ts, multipart())) };
      },
    ],
    ['no signature headers', () => ({ body: multipart(), headers: {} })],
    [
      'a signature without its timestamp header',
      () => {
        const body = multipart();
        return { body, headers: { 'X-Twilio-Email-Event-Webhook-Signature': signature(now(), body) } };
      },
    ],
    [
      'a timestamp older than 10 minutes (replay)',
      () => {
        const body = multipart();
        const old = String(Math.floor(Date.now() / 1000) - 11 * 60);
        return { body, headers: signedHeaders(old, signature(old, body)) };
      },
    ],
    [
      'a signature over a different timestamp',
      () => {
        const body = multipart();
        return { body, headers: signedHeaders(now(), signature(String(Math.floor(Date.now() / 1000) - 30), body)) };
      },
    ],
    [
      'a signature by another key',
      () => {
        const body = multipart();
        const ts = now();
        return { body, headers: signedHeaders(ts, signature(ts, body, generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey)) };
      },
    ],
    ['a garbage signature', () => ({ body: multipart(), headers: signedHeaders(now(), Buffer.from('not a signature').toString('base64')) })],
  ];
  it.each(refusals)('refuses %s with 403, records it, creates no task', async (_name, make) => {
    const { body, headers } = make();
    const tasks = await taskCount();
    const refused = await refusedCount();
    const res = await send(body, headers).expect(403);
    expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    expect(await refusedCount()).toBe(refused + 1);
    expect(await taskCount()).toBe(tasks);
  });

  it('refuses a urlencoded post (its raw bytes are gone to the body parser)', async () => {
    const tasks = await taskCount();
    const body = `from=${encodeURIComponent(OWNER)}&to=${encodeURIComponent(address(OWNER))}&text=hi`;
    const ts = now();
    await api
      .anonymous()
      .post('/v1/email/inbound')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .set(signedHeaders(ts, signature(ts, Buffer.from(body))))
      .send(body)
      .expect(403);
    expect(await taskCount()).toBe(tasks);
  });
});

describe('email configuration', () => {
  const base = { DATABASE_URL: 'postgres://u@h:5432/d', REDIS_URL: 'redis://h:6379', AUTH_DISABLED: 'true' };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadApiConfig, ConfigError } = require('../../../apps/api/src/config/api-config') as typeof import('../../../apps/api/src/config/api-config');

  it('leaves email off when nothing is set', () => {
    const email = loadApiConfig(base).email;
    expect(Object.fromEntries(Object.entries(email).filter(([, v]) => v !== undefined))).toEqual({
      replyPrefix: 'task',
      allowedSenders: [],
      inboundRateLimitPerMinute: 120,
      sendAttempts: 6,
      sendBackoffMs: 1000,
      resendSweepIntervalMs: 30_000,
    });
  });

  it('requires EMAIL_SIGNING_SECRET with EMAIL_INBOUND_DOMAIN and checks the other variables', () => {
    let error: unknown;
    try {
      loadApiConfig({ ...base, EMAIL_INBOUND_DOMAIN: 'in.example.com', EMAIL_INBOUND_BASIC_AUTH: 'nopassword', SMTP_URL: 'http://x', SENDGRID_API_KEY: 'k', EMAIL_ALLOWED_SENDERS: 'a@b.example,bogus' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as InstanceType<typeof ConfigError>).problems.join('\n');
    for (const name of ['EMAIL_SIGNING_SECRET', 'EMAIL_INBOUND_BASIC_AUTH', 'SMTP_URL', 'SENDGRID_FROM_EMAIL', 'EMAIL_ALLOWED_SENDERS']) {
      expect(problems).toContain(name);
    }
  });

  it('accepts SENDGRID_INBOUND_PUBLIC_KEY as base64 DER or PEM, refuses anything else', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const der = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(loadApiConfig({ ...base, SENDGRID_INBOUND_PUBLIC_KEY: der }).email.sendgridInboundPublicKey).toBe(der);
    expect(loadApiConfig({ ...base, SENDGRID_INBOUND_PUBLIC_KEY: pem }).email.sendgridInboundPublicKey).toBe(pem.trim());
    expect(loadApiConfig({ ...base, SENDGRID_INBOUND_PUBLIC_KEY: pem.trim().replace(/\n/g, '\\n') }).email.sendgridInboundPublicKey).toBeDefined();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    for (const bad of ['not-a-key', rsa]) {
      expect(() => loadApiConfig({ ...base, SENDGRID_INBOUND_PUBLIC_KEY: bad })).toThrow(/SENDGRID_INBOUND_PUBLIC_KEY/);
    }
  });

  it('reads a full configuration', () => {
    const c = loadApiConfig({
      ...base,
      EMAIL_INBOUND_DOMAIN: 'In.Example.com',
      EMAIL_SIGNING_SECRET: 's'.repeat(32),
      EMAIL_INBOUND_BASIC_AUTH: 'user:pa:ss',
      EMAIL_REPLY_PREFIX: 'reply',
      EMAIL_ALLOWED_SENDERS: 'A@b.example, c@d.example',
      NOTIFICATION_EMAIL: 'ops@example.com',
      SMTP_URL: 'smtp://127.0.0.1:2525',
      EMAIL_FROM: 'Bot <bot@example.com>',
      PUBLIC_URL: 'https://fleet.example.com',
    }).email;
    expect(c).toMatchObject({
      inboundDomain: 'in.example.com',
      inboundBasicAuth: { user: 'user', password: 'pa:ss' },
      replyPrefix: 'reply',
      allowedSenders: ['a@b.example', 'c@d.example'],
      notificationEmail: 'ops@example.com',
    });
  });
});
