/**
 * Notifications that lost their queue job are sent anyway, once; and a notification whose job
 * ran out of attempts ends `failed` with the error.
 */
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { EmailNotificationService } from '../../../apps/api/src/email/email-notification.service';
import { NotificationComposer } from '../../../apps/api/src/email/notification-composer';
import { REQUEUED_ERROR, StuckNotificationSweeper } from '../../../apps/api/src/email/stuck-notification-sweeper';
import type { TaskRow } from '../../../apps/api/src/tasks/task.entity';
import { eventually, startTestApi } from '../../support/api-harness';
import { FakeWorker } from '../../support/fake-worker';
import { deleteKeysWithPrefix } from '../../support/test-redis';
import { startSmtpCapture } from '../../support/smtp-capture';

interface EmailRow {
  id: string;
  status: string;
  attempts: number;
  error: string | null;
  recipient: string;
}

async function setup(env: Record<string, string>) {
  const smtp = await startSmtpCapture();
  const api = await startTestApi({ SMTP_URL: smtp.url, EMAIL_FROM: 'bot@codefleet.test', EMAIL_RESEND_INTERVAL_MS: '300', ...env });
  const worker = new FakeWorker(api, 'resend-worker');
  await worker.register();
  const codebaseId = (await worker.addCodebase('/srv/resend')).id;
  const db = api.app.get(DataSource);
  const rowsOf = (taskId: string) => db.query(`SELECT * FROM emails WHERE task_id = $1 AND direction = 'outbound'`, [taskId]) as Promise<EmailRow[]>;
  /** Runs a task to completion; `notify` becomes its metadata.notify_email. */
  const finishTask = async (notify?: string) => {
    const task = (await api.post(`/v1/agent/codebases/${codebaseId}/tasks`, { prompt: 'Fix the build', metadata: notify ? { notify_email: notify } : undefined }).expect(201)).body as { id: string };
    const claim = await worker.claim(task.id);
    await worker.output(task.id, claim.attempt, 0, 'compiling\nbuild green\n').expect(200);
    await worker.report(task.id, claim.attempt, 'completed', { result: 'Build fixed', session_id: 'ses_resend1' }).expect(200);
    return task.id;
  };
  /** Runs a task that fails; it can be requeued. */
  const failTask = async () => {
    const task = (await api.post(`/v1/agent/codebases/${codebaseId}/tasks`, { prompt: 'Fix the build' }).expect(201)).body as { id: string };
    const claim = await worker.claim(task.id);
    await worker.report(task.id, claim.attempt, 'failed', { error: 'boom' }).expect(200);
    return task.id;
  };
  /** A queued notification row as a replica records it, untouched for two minutes; `claimed`: another replica is sending it. */
  const orphanRow = (id: string, taskId: string, recipient: string, claimed = false) =>
    db.query(
      `INSERT INTO emails (id, direction, task_id, task_attempt, session_id, recipient, subject, message_id, status, created_at, updated_at, send_claimed_until)
       VALUES ($1, 'outbound', $2, (SELECT attempt FROM tasks WHERE id = $2), NULL, $3, 'Task completed', $4, 'queued', now() - interval '2 minutes', now() - interval '2 minutes',
               CASE WHEN $5::boolean THEN now() + interval '1 hour' END)`,
      [id, taskId, recipient, `<task.${taskId}@codefleet.test>`, claimed],
    );
  /** As if nobody had touched the row for two minutes. */
  const age = (emailId: string) => db.query(`UPDATE emails SET created_at = now() - interval '2 minutes', updated_at = now() - interval '2 minutes' WHERE id = $1`, [emailId]);
  return { smtp, api, db, rowsOf, finishTask, failTask, orphanRow, age, close: async () => (await api.close(), await smtp.close()) };
}

describe('resending notifications that lost their queue job', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  // A failed send waits a minute before its retry: long enough to lose the job meanwhile.
  beforeAll(async () => (t = await setup({ EMAIL_SEND_ATTEMPTS: '3', EMAIL_SEND_BACKOFF_MS: '60000' })));
  afterAll(() => t?.close());

  it('a row recorded without a job (the API died before enqueueing) is sent by the sweep, once', async () => {
    const taskId = await t.finishTask(); // no recipient configured: nothing recorded or sent
    expect(await t.rowsOf(taskId)).toEqual([]);
    await t.db.query(
      `INSERT INTO emails (id, direction, task_id, task_attempt, session_id, recipient, subject, message_id, status, created_at, updated_at)
       VALUES ('em_orphan1', 'outbound', $1, (SELECT attempt FROM tasks WHERE id = $1), 'ses_resend1', 'orphan@example.com', 'Task completed', $2, 'queued', now() - interval '2 minutes', now() - interval '2 minutes')`,
      [taskId, `<task.${taskId}@codefleet.test>`],
    );
    const mail = await eventually(async () => t.smtp.forTask(taskId)[0], 'the resent notification');
    expect(t.smtp.envelopes[t.smtp.mails.indexOf(mail)]).toEqual(['orphan@example.com']);
    expect(mail.subject).toContain('Task completed');
    expect(mail.text).toContain('build green');
    expect(mail.text).toContain('ses_resend1');
    const [row] = await eventually(async () => ((await t.rowsOf(taskId))[0]?.status === 'sent' ? t.rowsOf(taskId) : null), 'the sent row');
    expect(row).toMatchObject({ id: 'em_orphan1', status: 'sent', attempts: 1 });
    // More sweeps (as several replicas would run) find nothing left to send.
    const sweeper = t.api.app.get(StuckNotificationSweeper);
    await t.age('em_orphan1');
    expect(await sweeper.sweep()).toEqual({ requeued: [], failed: [] });
    expect(t.smtp.forTask(taskId)).toHaveLength(1);
  });

  it('a notification whose job vanished with a Redis flush while waiting for its retry is sent once Redis is back', async () => {
    t.smtp.refuse.add('flushed@example.com');
    const taskId = await t.finishTask('flushed@example.com');
    const [failedOnce] = await eventually(async () => {
      const rows = await t.rowsOf(taskId);
      return rows[0]?.attempts === 1 ? rows : null;
    }, 'the first failed attempt');
    expect(failedOnce).toMatchObject({ status: 'queued', error: expect.stringContaining('mailbox unavailable') });
    // Redis loses the email queue (the retry was a minute away); the mailbox works again.
    await deleteKeysWithPrefix(`${t.api.config.queuePrefix}:email-outbound`);
    t.smtp.refuse.delete('flushed@example.com');
    await t.age(failedOnce.id);
    await eventually(async () => t.smtp.forTask(taskId)[0], 'the notification sent after the flush');
    const [row] = await eventually(async () => ((await t.rowsOf(taskId))[0]?.status === 'sent' ? t.rowsOf(taskId) : null), 'the sent row');
    expect(row).toMatchObject({ status: 'sent', attempts: 2, error: null });
    expect(t.smtp.forTask(taskId)).toHaveLength(1);
  });

  it('a notification another replica is sending is left to it: neither the queue job nor the sweep sends it too', async () => {
    const taskId = await t.finishTask();
    await t.orphanRow('em_claimed1', taskId, 'claimed@example.com', true);
    const sweeper = t.api.app.get(StuckNotificationSweeper);
    expect((await sweeper.sweep()).requeued).not.toContain('em_claimed1');
    // A job for the row (another replica's sweep enqueued it) runs and finds the row claimed.
    const notifications = t.api.app.get(EmailNotificationService);
    const [task] = (await t.db.query(`SELECT * FROM tasks WHERE id = $1`, [taskId])) as TaskRow[];
    await notifications.enqueue('em_claimed1', taskId, await t.api.app.get(NotificationComposer).compose(task, 'claimed@example.com'));
    await eventually(async () => (await notifications.jobStateOf('em_claimed1')) === null, 'the job to finish');
    expect(t.smtp.forTask(taskId)).toEqual([]);
    expect((await t.rowsOf(taskId))[0]).toMatchObject({ status: 'queued', attempts: 0 });
    // The other replica gave up its claim without sending (it died): the sweep sends it, once.
    await t.db.query(`UPDATE emails SET send_claimed_until = NULL WHERE id = 'em_claimed1'`);
    await eventually(async () => ((await t.rowsOf(taskId))[0]?.status === 'sent' ? true : null), 'the row sent by the sweep');
    expect(t.smtp.forTask(taskId)).toHaveLength(1);
  });

  it('a lost notification of a task that was requeued meanwhile ends failed instead of announcing a running task as ended', async () => {
    const taskId = await t.failTask();
    await t.api.post(`/v1/agent/tasks/${taskId}/requeue`).expect(200);
    await t.orphanRow('em_requeued1', taskId, 'requeued@example.com');
    const [row] = await eventually(async () => ((await t.rowsOf(taskId))[0]?.status === 'failed' ? t.rowsOf(taskId) : null), 'the row failed by the sweep');
    expect(row.error).toBe(REQUEUED_ERROR);
    expect(t.smtp.forTask(taskId)).toEqual([]);
  });

  it('leaves a queued row alone while its job waits for a retry', async () => {
    t.smtp.refuse.add('waiting@example.com');
    const taskId = await t.finishTask('waiting@example.com');
    const [row] = await eventually(async () => {
      const rows = await t.rowsOf(taskId);
      return rows[0]?.attempts === 1 ? rows : null;
    }, 'the first failed attempt');
    await t.age(row.id);
    expect(await t.api.app.get(StuckNotificationSweeper).sweep()).toEqual({ requeued: [], failed: [] });
    expect((await t.rowsOf(taskId))[0]).toMatchObject({ status: 'queued', attempts: 1 });
  });
});

describe('notifications that run out of attempts', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => (t = await setup({ EMAIL_SEND_ATTEMPTS: '2', EMAIL_SEND_BACKOFF_MS: '50' })));
  afterAll(() => t?.close());

  it('end failed with the last error after EMAIL_SEND_ATTEMPTS tries', async () => {
    t.smtp.refuse.add('gone@example.com');
    const taskId = await t.finishTask('gone@example.com');
    const [row] = await eventually(async () => ((await t.rowsOf(taskId))[0]?.status === 'failed' ? t.rowsOf(taskId) : null), 'the failed row');
    expect(row).toMatchObject({ recipient: 'gone@example.com', attempts: 2, error: expect.stringContaining('mailbox unavailable') });
    expect(t.smtp.forTask(taskId)).toEqual([]);
  });

  it('a row left queued after its job failed for good (its last update was lost) is marked failed by the sweep, not sent again', async () => {
    t.smtp.refuse.add('lost-update@example.com');
    const taskId = await t.finishTask('lost-update@example.com');
    const [row] = await eventually(async () => ((await t.rowsOf(taskId))[0]?.status === 'failed' ? t.rowsOf(taskId) : null), 'the failed row');
    await t.db.query(`UPDATE emails SET status = 'queued', error = NULL WHERE id = $1`, [row.id]);
    t.smtp.refuse.delete('lost-update@example.com');
    await t.age(row.id);
    const [after] = await eventually(async () => ((await t.rowsOf(taskId))[0]?.status === 'failed' ? t.rowsOf(taskId) : null), 'the row failed again by the sweep');
    expect(after.error).toContain('mailbox unavailable');
    expect(t.smtp.forTask(taskId)).toEqual([]);
  });
});

describe('in-process retries (Redis did not take the job)', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  afterEach(() => t?.close());
  /** The enqueue fails as it does when Redis is down, so the replica sends the notification itself. */
  const redisRefusesJobs = () => jest.spyOn(t.api.app.get(EmailNotificationService), 'enqueue').mockRejectedValue(new Error('email enqueue timed out after 5000 ms'));

  it('make EMAIL_SEND_ATTEMPTS attempts, then end failed with the last error', async () => {
    t = await setup({ EMAIL_SEND_ATTEMPTS: '3', EMAIL_SEND_BACKOFF_MS: '20' });
    redisRefusesJobs();
    t.smtp.refuse.add('inproc@example.com');
    const taskId = await t.finishTask('inproc@example.com');
    const [row] = await eventually(async () => ((await t.rowsOf(taskId))[0]?.status === 'failed' ? t.rowsOf(taskId) : null), 'the failed row');
    expect(row).toMatchObject({ attempts: 3, error: expect.stringContaining('mailbox unavailable') });
    expect(t.smtp.forTask(taskId)).toEqual([]);
  });

  it('do not hold up shutdown while waiting for the next attempt; the row stays queued for the resend sweep', async () => {
    t = await setup({ EMAIL_SEND_ATTEMPTS: '3', EMAIL_SEND_BACKOFF_MS: '3600000' });
    redisRefusesJobs();
    t.smtp.refuse.add('sleepy@example.com');
    const taskId = await t.finishTask('sleepy@example.com');
    const [row] = await eventually(async () => ((await t.rowsOf(taskId))[0]?.attempts === 1 ? t.rowsOf(taskId) : null), 'the first failed attempt');
    expect(row.status).toBe('queued');
    const pg = new Client({ connectionString: t.api.db.url });
    await pg.connect();
    try {
      await t.api.app.close(); // resolves although the retry would wait an hour
      const { rows } = await pg.query(`SELECT status, attempts FROM emails WHERE id = $1`, [row.id]);
      expect(rows).toEqual([{ status: 'queued', attempts: 1 }]);
    } finally {
      await pg.end();
    }
  });
});
