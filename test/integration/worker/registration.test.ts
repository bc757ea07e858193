import { join } from 'node:path';
import { REGISTRATION_JOB_NAME, type RegistrationJob } from '#contracts';
import { CODEBASE_REGISTRATION_QUEUE, jobIdFor } from '#domain';
import { waitForJobState, WorkerHarness } from './worker-harness';

jest.setTimeout(30_000);

describe('worker: registration', () => {
  let h: WorkerHarness;
  beforeEach(async () => {
    h = new WorkerHarness();
    await h.startFake();
  });
  afterEach(async () => {
    await h.close();
  });

  async function enqueueRegistration(job: Partial<RegistrationJob> & { task_id: string; path: string }, attempts: number) {
    const data: RegistrationJob = { attempt: 0, name: 'proj', description: 'by path', tried_worker_ids: [], ...job };
    await h.queue(CODEBASE_REGISTRATION_QUEUE).add(REGISTRATION_JOB_NAME, data, { jobId: jobIdFor(data.task_id, 0), attempts });
  }

  it('registers itself, its codebases (skipping a missing one) and consumes their queues', async () => {
    const present = h.codebaseDir('present');
    await h.startWorker({ codebases: [{ name: 'present', path: present, description: 'here' }, join(h.dir, 'absent')], capabilities: ['opencode', 'build', 'test'] });
    const register = h.fake.callsTo('POST', /^\/v1\/agent\/workers\/register$/)[0].body;
    expect(register).toMatchObject({
      worker_id: h.workerId,
      capabilities: expect.arrayContaining(['opencode', 'build', 'test']),
      max_concurrent: 1,
      version: expect.any(String),
      resources: expect.objectContaining({ cpu_count: expect.any(Number), memory_total_bytes: expect.any(Number) }),
    });
    const codebaseCalls = h.fake.callsTo('POST', /^\/v1\/agent\/codebases$/);
    expect(codebaseCalls.map((c) => c.body)).toEqual([{ name: 'present', path: present, description: 'here', worker_id: h.workerId }]);
    const cbId = [...h.fake.codebases.values()][0].id;
    h.fake.addTask('t-present', { codebase_id: cbId });
    await h.enqueueTask(cbId, { task_id: 't-present', agent_type: 'echo', prompt: 'hi' });
    expect((await h.fake.waitForStatus('t-present')).status).toBe('completed');
  });

  it('a registration job for a path it has: claims, registers the codebase as its own, reports the codebase id, consumes it', async () => {
    const path = h.codebaseDir('by-path');
    h.fake.addTask('reg-1', { agent_type: 'register_codebase' });
    await h.startWorker({});
    await enqueueRegistration({ task_id: 'reg-1', path, name: 'by-path' }, 3);
    const task = await h.fake.waitForStatus('reg-1');
    const cb = [...h.fake.codebases.values()].find((c) => c.path === path)!;
    expect(cb).toMatchObject({ name: 'by-path', worker_id: h.workerId });
    expect(task).toMatchObject({ status: 'completed', result: cb.id, attempt: 1 });
    // The new codebase's queue is consumed right away.
    h.fake.addTask('t-new', { codebase_id: cb.id });
    await h.enqueueTask(cb.id, { task_id: 't-new', agent_type: 'noop' });
    expect((await h.fake.waitForStatus('t-new')).status).toBe('completed');
  });

  it('a registration job with a missing path is retried, then fails invalid_codebase naming the path and who looked', async () => {
    const missing = join(h.dir, 'not-on-this-machine');
    h.fake.addTask('reg-2', { agent_type: 'register_codebase' });
    await h.startWorker({});
    // Another worker is active, so the first miss leaves the job for it.
    h.fake.activeWorkerIds = [h.workerId, 'other-worker'];
    await enqueueRegistration({ task_id: 'reg-2', path: missing }, 2);
    const task = await h.fake.waitForStatus('reg-2');
    expect(task).toMatchObject({ status: 'failed', failure_reason: 'invalid_codebase' });
    expect(task.error).toContain(missing);
    expect(task.error).toContain(h.workerId);
    const job = await h.queue(CODEBASE_REGISTRATION_QUEUE).getJob('reg-2.0');
    expect(job!.attemptsMade).toBeGreaterThanOrEqual(1);
    expect(job!.data.tried_worker_ids).toEqual([h.workerId]);
    // Only the final try claimed it.
    expect(h.fake.callsTo('PUT', /\/tasks\/reg-2\/status$/).map((c) => c.body.status)).toEqual(['running', 'failed']);
  });

  it('fails at once when every active worker has looked', async () => {
    const missing = join(h.dir, 'nowhere');
    h.fake.addTask('reg-3', { agent_type: 'register_codebase' });
    await h.startWorker({});
    h.fake.activeWorkerIds = [h.workerId];
    await enqueueRegistration({ task_id: 'reg-3', path: missing }, 5);
    const task = await h.fake.waitForStatus('reg-3');
    expect(task).toMatchObject({ status: 'failed', failure_reason: 'invalid_codebase' });
    const job = await waitForJobState(h.queue(CODEBASE_REGISTRATION_QUEUE), 'reg-3.0', 'completed');
    // It never went back to the queue for another worker.
    expect(job!.data.tried_worker_ids).toEqual([]);
    expect(job!.returnvalue).toEqual({ registration: 'failed' });
  });
});
