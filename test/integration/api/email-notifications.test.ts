import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { verifyReplyAddress } from '#domain';
import { eventually, startTestApi, type TestApi } from '../../support/api-harness';
import { FakeWorker } from '../../support/fake-worker';
import { type SmtpCapture, startSmtpCapture } from '../../support/smtp-capture';

const SECRET = 'email-test-signing-secret-0123456789';
const DOMAIN = 'reply.codefleet.test';

interface EmailRow {
  id: string;
  direction: string;
  task_id: string | null;
  session_id: string | null;
  recipient: string | null;
  status: string;
  reason: string | null;
  provider: string | null;
  provider_message_id: string | null;
  attempts: number;
  created_task_id: string | null;
  error: string | null;
}

const emailRows = (api: TestApi, taskId: string) =>
  api.app.get(DataSource).query(`SELECT * FROM emails WHERE task_id = $1 ORDER BY created_at`, [taskId]) as Promise<EmailRow[]>;

async function runTask(api: TestApi, worker: FakeWorker, codebaseId: string, body: Record<string, unknown>, finish: Record<string, unknown>) {
  const task = (await api.post(`/v1/agent/codebases/${codebaseId}/tasks`, { prompt: 'Fix the login bug', ...body }).expect(201)).body as { id: string };
  const claim = await worker.claim(task.id);
  await worker.output(task.id, claim.attempt, 0, 'step 1\nstep 2\nall tests pass\n').expect(200);
  await worker.report(task.id, claim.attempt, String(finish.status ?? 'completed'), { session_id: 'ses_AbC123xyz', ...finish }).expect(200);
  return task.id;
}

describe('email notifications over SMTP, and the reply loop', () => {
  let smtp: SmtpCapture;
  let api: TestApi;
  let worker: FakeWorker;
  let codebaseId: string;

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    api = await startTestApi({
      SMTP_URL: smtp.url,
      EMAIL_FROM: 'Codefleet <bot@codefleet.test>',
      NOTIFICATION_EMAIL: 'ops@example.com',
      EMAIL_INBOUND_DOMAIN: DOMAIN,
      EMAIL_SIGNING_SECRET: SECRET,
      PUBLIC_URL: 'https://fleet.example.com',
    });
    worker = new FakeWorker(api, 'mail-worker');
    await worker.register();
    codebaseId = (await worker.addCodebase('/srv/mail')).id;
  });
  afterAll(async () => {
    await api?.close();
    await smtp?.close();
  });

  it('sends the notification to metadata.notify_email with a signed Reply-To and threading headers', async () => {
    const taskId = await runTask(api, worker, codebaseId, { metadata: { notify_email: 'dev@example.com' } }, { status: 'completed', result: 'Fixed it' });
    const mail = await eventually(async () => smtp.mails.find((m) => m.headers.get('x-codefleet-task-id') === taskId), 'the notification');
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0].address : null).toBe('dev@example.com');
    expect(mail.from?.value[0]).toMatchObject({ address: 'bot@codefleet.test', name: 'Codefleet' });
    expect(mail.subject).toContain('Task completed');
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.messageId).toBe(`<task.${taskId}@${DOMAIN}>`);
    expect(mail.text).toContain('all tests pass');
    expect(mail.text).toContain('ses_AbC123xyz');
    expect(mail.text).toContain('mail-worker-name');
    expect(mail.html).toContain('Fixed it');
    const replyTo = mail.replyTo && !Array.isArray(mail.replyTo) ? mail.replyTo.value[0].address! : '';
    expect(replyTo).toMatch(new RegExp(`^task\\+s-[a-z2-7]+-ses_abc123xyz\\.[a-z2-7]{16}@${DOMAIN.replace(/\./g, '\\.')}$`));
    expect(verifyReplyAddress(replyTo, 'dev@example.com', { secret: SECRET, domain: DOMAIN })).toEqual({ ok: true, kind: 'session', id: 'ses_AbC123xyz' });
    const rows = await eventually(async () => {
      const r = await emailRows(api, taskId);
      return r[0]?.status === 'sent' ? r : null;
    }, 'the sent row');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ direction: 'outbound', recipient: 'dev@example.com', session_id: 'ses_AbC123xyz', provider: 'smtp', attempts: 1 });
  });

  it('falls back to NOTIFICATION_EMAIL, and reports failures with the error', async () => {
    const taskId = await runTask(api, worker, codebaseId, {}, { status: 'failed', error: 'agent crashed', failure_reason: 'agent_exit_nonzero', exit_code: 3 });
    const mail = await eventually(async () => smtp.mails.find((m) => m.headers.get('x-codefleet-task-id') === taskId), 'the notification');
    expect(smtp.envelopes[smtp.mails.indexOf(mail)]).toEqual(['ops@example.com']);
    expect(mail.subject).toContain('Task failed (agent_exit_nonzero)');
    expect(mail.text).toContain('agent crashed');
  });

  it('a requeued task that ends again sends a second notification, threaded under the first', async () => {
    const taskId = await runTask(api, worker, codebaseId, {}, { status: 'failed', error: 'flaky test', failure_reason: 'agent_exit_nonzero', exit_code: 1 });
    const first = await eventually(async () => smtp.forTask(taskId)[0], 'the first notification');
    await api.post(`/v1/agent/tasks/${taskId}/requeue`).expect(200);
    const claim = await worker.claim(taskId, 1); // the requeued job carries the attempt of the last claim
    await worker.report(taskId, claim.attempt, 'completed', { result: 'passed this time' }).expect(200);
    const second = await eventually(async () => smtp.forTask(taskId)[1], 'the notification of the second run');
    expect(first.subject).toContain('Task failed');
    expect(second.subject).toContain('Task completed');
    expect(second.messageId).toBe(`<task.${taskId}.r2@${DOMAIN}>`);
    expect(second.inReplyTo).toBe(first.messageId);
    expect((await emailRows(api, taskId)).map((r) => r.status)).toEqual(['sent', expect.stringMatching(/queued|sent/)]);
  });

  it('retries a failed send through the email-outbound queue and records the attempts', async () => {
    smtp.rejectNext.count = 1;
    const taskId = await runTask(api, worker, codebaseId, { metadata: { notify_email: 'retry@example.com' } }, { status: 'completed' });
    const rows = await eventually(async () => {
      const r = await emailRows(api, taskId);
      return r[0]?.status === 'sent' ? r : null;
    }, 'the sent row after a retry', 15_000);
    expect(rows[0]).toMatchObject({ attempts: 2, provider: 'smtp' });
    expect(rows[0].error).toBeNull();
    expect(smtp.mails.filter((m) => m.headers.get('x-codefleet-task-id') === taskId)).toHaveLength(1);
  }, 20_000);

  it('sends nothing for codebase registration tasks', async () => {
    const before = smtp.mails.length;
    const created = await api.post('/v1/agent/codebases', { name: 'reg', path: '/srv/registered-by-task' });
    expect(created.status).toBeLessThan(300);
    const regTaskId = (created.body as { task_id: string }).task_id;
    const claim = await worker.claim(regTaskId);
    await worker.report(regTaskId, claim.attempt, 'failed', { error: 'path not found on this worker', failure_reason: 'invalid_codebase' }).expect(200);
    // A normal task finishing afterwards is notified; the registration task never is.
    const normal = await runTask(api, worker, codebaseId, {}, { status: 'completed' });
    await eventually(async () => smtp.mails.find((m) => m.headers.get('x-codefleet-task-id') === normal), 'the normal notification');
    expect(smtp.mails.some((m) => m.headers.get('x-codefleet-task-id') === regTaskId)).toBe(false);
    expect(await emailRows(api, regTaskId)).toEqual([]);
    expect(smtp.mails.length).toBe(before + 1);
  });

  it('closes the loop: a reply to the notification creates a continuation task that resumes the session', async () => {
    const taskId = await runTask(api, worker, codebaseId, { metadata: { notify_email: 'loop@example.com' } }, { status: 'completed', session_id: 'ses_loop1' });
    const mail = await eventually(async () => smtp.mails.find((m) => m.headers.get('x-codefleet-task-id') === taskId), 'the notification');
    const replyTo = mail.replyTo && !Array.isArray(mail.replyTo) ? mail.replyTo.value[0].address! : '';
    const res = await api
      .anonymous()
      .post('/v1/email/inbound')
      .field('from', 'Loop Person <loop@example.com>')
      .field('to', replyTo)
      .field('subject', `Re: ${mail.subject} [model:anthropic/claude-opus]`)
      .field('text', `Now add a regression test.\n\nOn Mon, 23 Nov 2026 at 11:00, Codefleet <bot@codefleet.test> wrote:\n> ${mail.text?.split('\n')[0]}\n`)
      .field('headers', `Message-ID: <reply-loop-1@example.com>\r\nIn-Reply-To: ${mail.messageId}\r\nFrom: loop@example.com\r\n`)
      .field('envelope', JSON.stringify({ to: [replyTo], from: 'loop@example.com' }))
      .field('SPF', 'pass')
      .expect(200);
    expect(res.body).toMatchObject({ status: 'accepted' });
    const next = (await api.get(`/v1/agent/tasks/${res.body.task_id}`).expect(200)).body;
    expect(next).toMatchObject({ codebase_id: codebaseId, prompt: 'Now add a regression test.', status: 'pending', worker_id: 'mail-worker' });
    expect(next.metadata).toMatchObject({ resume_session_id: 'ses_loop1', model: 'anthropic/claude-opus', notify_email: 'loop@example.com' });

    // The worker resumes it; its notification threads under the reply.
    const claim = await worker.claim(next.id);
    await worker.report(next.id, claim.attempt, 'completed', { session_id: 'ses_loop1', result: 'Test added' }).expect(200);
    const second = await eventually(async () => smtp.mails.find((m) => m.headers.get('x-codefleet-task-id') === next.id), 'the second notification');
    expect(second.inReplyTo).toBe('<reply-loop-1@example.com>');
    expect(second.references).toEqual([`<task.${taskId}@${DOMAIN}>`, '<reply-loop-1@example.com>']);
    const inbound = (await api.app.get(DataSource).query(`SELECT * FROM emails WHERE created_task_id = $1`, [next.id])) as EmailRow[];
    expect(inbound).toEqual([expect.objectContaining({ direction: 'inbound', status: 'accepted', session_id: 'ses_loop1', task_id: taskId })]);
  });
});

describe('email notifications over SendGrid', () => {
  let http: Server;
  let api: TestApi;
  const received: Array<{ auth?: string; type?: string; body: Record<string, unknown>; path?: string }> = [];
  let failuresLeft = 0;

  beforeAll(async () => {
    http = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (failuresLeft > 0) {
          failuresLeft--;
          res.writeHead(503, { 'content-type': 'application/json' }).end('{"errors":[{"message":"try later"}]}');
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        received.push({ auth: req.headers.authorization, type: req.headers['content-type'], body, path: req.url });
        if (req.headers.authorization !== 'Bearer SG.test-key') {
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"errors":[{"message":"bad key"}]}');
          return;
        }
        res.writeHead(202, { 'x-message-id': `sg-${received.length}` }).end();
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const port = (http.address() as AddressInfo).port;
    api = await startTestApi({
      SENDGRID_API_KEY: 'SG.test-key',
      SENDGRID_FROM_EMAIL: 'notify@codefleet.test',
      SENDGRID_API_URL: `http://127.0.0.1:${port}`,
      EMAIL_INBOUND_DOMAIN: DOMAIN,
      EMAIL_SIGNING_SECRET: SECRET,
    });
  });
  afterAll(async () => {
    await api?.close();
    await new Promise<void>((resolve) => http?.close(() => resolve()));
  });

  it('posts a v3 Mail Send request with the Bearer key and keeps the provider message id', async () => {
    const worker = new FakeWorker(api, 'sg-worker');
    await worker.register();
    const codebaseId = (await worker.addCodebase('/srv/sg')).id;
    failuresLeft = 1; // the transport retries a 5xx by itself
    const taskId = await runTask(api, worker, codebaseId, { metadata: { notify_email: 'sg@example.com' } }, { status: 'cancelled' });
    const rows = await eventually(async () => {
      const r = await emailRows(api, taskId);
      return r[0]?.status === 'sent' ? r : null;
    }, 'the sent row', 20_000);
    expect(rows[0]).toMatchObject({ provider: 'sendgrid', recipient: 'sg@example.com' });
    expect(rows[0].provider_message_id).toMatch(/^sg-\d+$/);
    const req = received.find((r) => JSON.stringify(r.body).includes(taskId))!;
    expect(req.path).toBe('/v3/mail/send');
    expect(req.auth).toBe('Bearer SG.test-key');
    expect(req.type).toMatch(/^application\/json/);
    expect(req.body).toMatchObject({
      personalizations: [expect.objectContaining({ to: [{ email: 'sg@example.com' }] })],
      from: { email: 'notify@codefleet.test' },
      reply_to: { email: expect.stringMatching(/^task\+ses_abc123xyz|^task\+s/) },
    });
    const content = req.body.content as Array<{ type: string; value: string }>;
    expect(content.map((c) => c.type)).toEqual(['text/plain', 'text/html']);
    expect(JSON.stringify(req.body)).toContain('auto-generated');
  }, 30_000);
});
