import { parseRegistrationJob, parseTaskJob } from '#contracts';
import type { TaskRow } from '../tasks/task.entity';
import { bullmqPriority, registrationJobOf, taskJobOf } from './job-options';

const task = (over: Partial<TaskRow> = {}): TaskRow =>
  ({
    id: 'task_a',
    codebase_id: 'cb_a',
    title: 't',
    prompt: 'p',
    agent_type: 'build',
    tool: null,
    model: 'anthropic/x',
    priority: 0,
    attempt: 2,
    worker_id: 'w1',
    metadata: { resume_session_id: 'ses_1', timeout_s: 600, notify_email: 'a@b.c' },
    correlation_id: 'req-1',
    ...over,
  }) as TaskRow;

describe('job payloads', () => {
  it('maps higher task priority to a lower (earlier) BullMQ priority', () => {
    expect(bullmqPriority(100)).toBe(1);
    expect(bullmqPriority(0)).toBe(101);
    expect(bullmqPriority(60)).toBeLessThan(bullmqPriority(50));
  });

  it('builds a task job the worker-side parser accepts', () => {
    const job = taskJobOf(task());
    expect(parseTaskJob(JSON.parse(JSON.stringify(job)))).toEqual(job);
    expect(job).toMatchObject({ attempt: 2, worker_id: 'w1', resume_session_id: 'ses_1', timeout_s: 600, correlation_id: 'req-1' });
  });

  it('carries metadata.idle_timeout_s into the job, 0 included (no idle watchdog)', () => {
    expect(taskJobOf(task({ metadata: { idle_timeout_s: 3 } })).idle_timeout_s).toBe(3);
    const off = taskJobOf(task({ metadata: { idle_timeout_s: 0 } }));
    expect(off.idle_timeout_s).toBe(0);
    expect(parseTaskJob(JSON.parse(JSON.stringify(off))).idle_timeout_s).toBe(0);
    expect(taskJobOf(task({ metadata: {} })).idle_timeout_s).toBeNull();
  });

  it('refuses to build a job without a worker to route to', () => {
    expect(() => taskJobOf(task({ worker_id: null }))).toThrow(/no worker/);
  });

  it('builds a registration job from the task metadata', () => {
    const job = registrationJobOf(task({ codebase_id: null, worker_id: null, attempt: 0, metadata: { name: 'api', path: '/srv/api', description: 'd' } }));
    expect(parseRegistrationJob(job)).toEqual({ task_id: 'task_a', attempt: 0, name: 'api', path: '/srv/api', description: 'd', tried_worker_ids: [] });
  });
});
