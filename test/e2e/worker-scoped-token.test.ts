/**
 * Token scopes end to end: real worker processes holding worker-scoped tokens (bound to their
 * own ids) run tasks a client-scoped token creates, through the queues and through the HTTP
 * fallback, and no call of theirs is refused.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppProcess } from './support/processes';
import { ApiClient } from './support/api-client';
import { Fleet, scriptTool } from './support/fleet';
import { eventually } from './support/processes';

jest.setTimeout(120_000);

const secret = () => randomBytes(24).toString('hex');

describe('workers with worker-scoped tokens (real api + worker processes)', () => {
  const fleet = new Fleet(13);
  const tokens = { client: secret(), queued: secret(), polling: secret() };
  const tools = { writer: scriptTool('write-file.sh') };
  let client: ApiClient;
  let queuedWorker: AppProcess;
  let pollingWorker: AppProcess;
  const dirs: Record<string, string> = {};
  const codebaseOf = async (workerId: string) => (await fleet.client.ok('GET', `/v1/agent/codebases?worker_id=${workerId}`)).codebases[0].id as string;

  beforeAll(async () => {
    await fleet.start({
      A2A_AUTH_TOKENS: `e2e:${fleet.token},ci@client:${tokens.client},q@worker/scoped-queue:${tokens.queued},p@worker/scoped-poll:${tokens.polling}`,
    });
    client = new ApiClient(fleet.client.baseUrl, tokens.client);
    dirs.queued = fleet.codebaseDir('queued');
    dirs.polling = fleet.codebaseDir('polling');
    queuedWorker = await fleet.startWorker('scoped-queue', { codebases: [{ name: 'queued', path: dirs.queued, description: 'd' }], tools }, { A2A_AUTH_TOKEN: tokens.queued });
    // Redis unreachable on purpose: this worker lives on the HTTP fallback (GET /tasks?worker_id=...).
    pollingWorker = await fleet.startWorker(
      'scoped-poll',
      { codebases: [{ name: 'polling', path: dirs.polling, description: 'd' }], tools, poll_interval: 1 },
      { A2A_AUTH_TOKEN: tokens.polling, A2A_REDIS_URL: 'redis://127.0.0.1:1' },
    );
  });

  afterAll(() => fleet.stop());

  /** The API's log lines for requests it refused to the token with this name (and the worker's own view of them). */
  const refusals = (tokenName: string, worker: AppProcess) => [
    ...fleet.api.logs.filter((line) => line.includes('request refused by token scope') && line.includes(`"token_name":"${tokenName}"`)),
    ...worker.logs.filter((line) => /-> 403\b/.test(line)),
  ];

  it('a client creates a task; the queue worker claims, streams and finishes it', async () => {
    const created = await client.ok('POST', `/v1/agent/codebases/${await codebaseOf('scoped-queue')}/tasks`, { title: 'w', prompt: 'queued hello', tool: 'writer' });
    const task = await fleet.waitForTask(created.id, ['completed', 'failed']);
    expect(task).toMatchObject({ status: 'completed', worker_id: 'scoped-queue' });
    expect(readFileSync(join(dirs.queued, 'agent-output.txt'), 'utf8')).toBe('queued hello\n');
    const out = await client.ok('GET', `/v1/agent/tasks/${created.id}/output`);
    expect(out.chunks.map((c: { data: string }) => c.data).join('')).toContain('agent: done');
    expect(refusals('q', queuedWorker)).toEqual([]);
  });

  it('the HTTP-fallback worker polls its own pending tasks and runs them', async () => {
    const created = await client.ok('POST', `/v1/agent/codebases/${await codebaseOf('scoped-poll')}/tasks`, { title: 'p', prompt: 'polled hello', tool: 'writer' });
    const task = await fleet.waitForTask(created.id, ['completed', 'failed']);
    expect(pollingWorker.logs.some((line) => line.includes('falling back to HTTP polling'))).toBe(true);
    expect(task).toMatchObject({ status: 'completed', worker_id: 'scoped-poll' });
    expect(readFileSync(join(dirs.polling, 'agent-output.txt'), 'utf8')).toBe('polled hello\n');
    expect(refusals('p', pollingWorker)).toEqual([]);
  });

  it('a registration by path is claimed and completed by a worker-scoped worker', async () => {
    const path = fleet.codebaseDir('by-path');
    const accepted = await client.ok('POST', '/v1/agent/codebases', { name: 'by-path', path, description: 'registered by path' });
    const task = await fleet.waitForTask(accepted.task_id, ['completed', 'failed']);
    expect(task).toMatchObject({ status: 'completed', worker_id: 'scoped-queue' });
    const codebase = await client.ok('GET', `/v1/agent/codebases/${task.result}`);
    expect(codebase).toMatchObject({ name: 'by-path', path, worker_id: 'scoped-queue' });
    expect(refusals('q', queuedWorker)).toEqual([]);
  });

  it('the worker token cannot create tasks, and a stopped worker unregisters itself', async () => {
    const asWorker = new ApiClient(fleet.client.baseUrl, tokens.queued);
    const refused = await asWorker.call('POST', `/v1/agent/codebases/${await codebaseOf('scoped-queue')}/tasks`, { title: 'x', prompt: 'x' });
    expect(refused).toMatchObject({ status: 403, body: { message: expect.stringMatching(/needs a token with scope admin or client/) } });

    await queuedWorker.stop('SIGTERM', 15_000);
    await eventually('scoped-queue to be offline', async () => {
      const w = await client.ok('GET', '/v1/agent/workers/scoped-queue');
      return w.status === 'offline' ? true : undefined;
    });
    // The one refusal is the task creation above: heartbeats and the unregister all went through.
    expect(refusals('q', queuedWorker)).toEqual([expect.stringContaining('POST /v1/agent/codebases/:id/tasks')]);
  });
});
