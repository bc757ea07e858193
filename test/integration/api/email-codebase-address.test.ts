/**
 * Per-codebase notification address: set at registration, changed with PATCH, shown in the
 * codebase view, and used between the task's metadata.notify_email and NOTIFICATION_EMAIL.
 */
import { eventually, startTestApi, type TestApi } from '../../support/api-harness';
import { FakeWorker } from '../../support/fake-worker';
import { type SmtpCapture, startSmtpCapture } from '../../support/smtp-capture';

describe('per-codebase notification address', () => {
  let smtp: SmtpCapture;
  let api: TestApi;
  let worker: FakeWorker;

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    api = await startTestApi({ SMTP_URL: smtp.url, EMAIL_FROM: 'bot@codefleet.test', NOTIFICATION_EMAIL: 'ops@example.com' });
    worker = new FakeWorker(api, 'addr-worker');
    await worker.register();
  });
  afterAll(async () => {
    await api?.close();
    await smtp?.close();
  });

  const register = (path: string, extra: Record<string, unknown> = {}) =>
    api.post('/v1/agent/codebases', { name: 'proj', path, worker_id: worker.id, ...extra });

  /** Runs a task to completion and returns the envelope recipient of its notification. */
  async function notifiedFor(codebaseId: string, metadata?: Record<string, unknown>): Promise<string> {
    const task = (await api.post(`/v1/agent/codebases/${codebaseId}/tasks`, { prompt: 'Do it', metadata }).expect(201)).body as { id: string };
    const claim = await worker.claim(task.id);
    await worker.report(task.id, claim.attempt, 'completed', { result: 'done' }).expect(200);
    const mail = await eventually(async () => smtp.forTask(task.id)[0], `the notification of ${task.id}`);
    return smtp.envelopes[smtp.mails.indexOf(mail)].join(',');
  }

  it('is set at registration and shown in the view, list and get', async () => {
    const created = (await register('/srv/addr-a', { notification_email: 'team-a@example.com' }).expect(201)).body;
    expect(created).toMatchObject({ path: '/srv/addr-a', notification_email: 'team-a@example.com' });
    expect((await api.get(`/v1/agent/codebases/${created.id}`).expect(200)).body.notification_email).toBe('team-a@example.com');
    const { codebases } = (await api.get(`/v1/agent/codebases?worker_id=${worker.id}`).expect(200)).body;
    expect(codebases.find((c: { id: string }) => c.id === created.id).notification_email).toBe('team-a@example.com');
  });

  it('survives the worker registering the codebase again without an address', async () => {
    const first = (await register('/srv/addr-keep', { notification_email: 'keep@example.com' }).expect(201)).body;
    const again = (await register('/srv/addr-keep').expect(201)).body;
    expect(again).toMatchObject({ id: first.id, notification_email: 'keep@example.com' });
  });

  it('is changed and removed with PATCH /v1/agent/codebases/:id (also under /v1/opencode)', async () => {
    const cb = (await register('/srv/addr-patch').expect(201)).body;
    expect(cb.notification_email).toBeUndefined();
    const set = await patch(cb.id, { notification_email: 'new@example.com' }, '/v1/opencode').expect(200);
    expect(set.body).toMatchObject({ id: cb.id, notification_email: 'new@example.com', path: '/srv/addr-patch' });
    const described = await patch(cb.id, { description: 'Billing service' }).expect(200);
    expect(described.body).toMatchObject({ description: 'Billing service', notification_email: 'new@example.com' });
    const cleared = await patch(cb.id, { notification_email: null }).expect(200);
    expect(cleared.body.notification_email).toBeUndefined();
    expect((await api.get(`/v1/agent/codebases/${cb.id}`).expect(200)).body.notification_email).toBeUndefined();
  });

  it('refuses a bad address, an empty or unknown-field body, and an unknown codebase with clear 4xx errors', async () => {
    const cb = (await register('/srv/addr-bad').expect(201)).body;
    const bad = await patch(cb.id, { notification_email: 'not-an-address' }).expect(400);
    expect(bad.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining('notification_email must be an email address') });
    expect((await register('/srv/addr-bad2', { notification_email: 'x@' }).expect(400)).body.message).toContain('notification_email');
    expect((await patch(cb.id, {}).expect(400)).body.message).toMatch(/nothing to change/);
    // null cannot be a description (it used to answer 200 and change nothing); "" clears it.
    const nullDescription = await patch(cb.id, { description: null }).expect(400);
    expect(nullDescription.body.details).toEqual([{ field: 'description', problems: ['description must be a string ("" to clear it), not null'] }]);
    expect((await register('/srv/addr-null-desc', { description: null }).expect(400)).body.details[0].field).toBe('description');
    expect((await patch(cb.id, { description: '' }).expect(200)).body.description).toBe('');
    expect((await patch(cb.id, { name: 'renamed' }).expect(400)).body.message).toMatch(/name/);
    expect((await patch('cb_doesnotexist', { notification_email: 'a@example.com' }).expect(404)).body).toMatchObject({ statusCode: 404 });
  });

  it('chooses the recipient: metadata.notify_email, then the codebase address, then NOTIFICATION_EMAIL', async () => {
    const cb = (await register('/srv/addr-route', { notification_email: 'codebase@example.com' }).expect(201)).body;
    expect(await notifiedFor(cb.id, { notify_email: 'asker@example.com' })).toBe('asker@example.com');
    expect(await notifiedFor(cb.id)).toBe('codebase@example.com');
    await patch(cb.id, { notification_email: null }).expect(200);
    expect(await notifiedFor(cb.id)).toBe('ops@example.com');
  });

  it('a codebase registered by path (202) gets its address once a worker completes the registration', async () => {
    await worker.heartbeat();
    const accepted = (await api.post('/v1/agent/codebases', { name: 'by-path', path: '/srv/addr-by-path', notification_email: 'path@example.com' }).expect(202)).body;
    const claim = await worker.claim(accepted.task_id);
    const cb = (await register('/srv/addr-by-path').expect(201)).body; // what the worker does when it has the path
    await worker.report(accepted.task_id, claim.attempt, 'completed', { result: cb.id }).expect(200);
    const view = await eventually(async () => {
      const v = (await api.get(`/v1/agent/codebases/${cb.id}`).expect(200)).body;
      return v.notification_email ? v : null;
    }, 'the address on the registered codebase');
    expect(view.notification_email).toBe('path@example.com');
  });

  it('a registration result naming another codebase (another worker\'s, or another path) sets no address', async () => {
    const other = new FakeWorker(api, 'addr-other');
    await other.register();
    const victim = (await api.post('/v1/agent/codebases', { name: 'victim', path: '/srv/addr-victim', worker_id: other.id, notification_email: 'victim@example.com' }).expect(201)).body;
    const ownOther = (await register('/srv/addr-own-other', { notification_email: 'own@example.com' }).expect(201)).body;
    for (const target of [victim.id, ownOther.id]) {
      await worker.heartbeat();
      const accepted = (await api.post('/v1/agent/codebases', { name: 'hijack', path: `/srv/addr-hijack-${target}`, notification_email: 'attacker@example.com' }).expect(202)).body;
      const claim = await worker.claim(accepted.task_id);
      await worker.report(accepted.task_id, claim.attempt, 'completed', { result: target }).expect(200);
    }
    // A later legitimate registration shows the listener has handled the hijack attempts before it.
    const accepted = (await api.post('/v1/agent/codebases', { name: 'later', path: '/srv/addr-later', notification_email: 'later@example.com' }).expect(202)).body;
    const claim = await worker.claim(accepted.task_id);
    const later = (await register('/srv/addr-later').expect(201)).body;
    await worker.report(accepted.task_id, claim.attempt, 'completed', { result: later.id }).expect(200);
    await eventually(async () => (await api.get(`/v1/agent/codebases/${later.id}`).expect(200)).body.notification_email === 'later@example.com', 'the legitimate address');
    expect((await api.get(`/v1/agent/codebases/${victim.id}`).expect(200)).body.notification_email).toBe('victim@example.com');
    expect((await api.get(`/v1/agent/codebases/${ownOther.id}`).expect(200)).body.notification_email).toBe('own@example.com');
  });

  const patch = (id: string, body: object, prefix = '/v1/agent') => api.anonymous().patch(`${prefix}/codebases/${id}`).set('Authorization', `Bearer ${tokenOf(api)}`).send(body);
});

const tokenOf = (api: TestApi): string => api.config.authTokens.find((t) => t.name === 'admin')!.token;
