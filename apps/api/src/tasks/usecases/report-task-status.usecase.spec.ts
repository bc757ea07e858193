import { HttpException } from '@nestjs/common';
import type { TaskRow } from '../task.entity';
import type { TaskEvents } from '../task-events';
import type { TaskRepository } from '../task.repository';
import type { WorkerRepository } from '../../workers/worker.repository';
import { failureReasonFor, ReportTaskStatusUseCase } from './report-task-status.usecase';

describe('failureReasonFor', () => {
  it('defaults failed to internal and cancelled to cancelled', () => {
    expect(failureReasonFor('failed', undefined)).toBe('internal');
    expect(failureReasonFor('cancelled', undefined)).toBe('cancelled');
  });

  it('keeps the reason a worker gave', () => {
    expect(failureReasonFor('failed', 'timeout')).toBe('timeout');
    expect(failureReasonFor('cancelled', 'worker_shutdown')).toBe('worker_shutdown');
  });

  it('clears it for completed tasks', () => {
    expect(failureReasonFor('completed', 'internal')).toBeNull();
  });
});

describe('ReportTaskStatusUseCase', () => {
  const row = (over: Partial<TaskRow>): TaskRow =>
    ({ id: 't1', status: 'pending', attempt: 0, worker_id: 'w1', output_bytes: '12', metadata: {}, created_at: new Date(), ...over }) as TaskRow;

  function setup(reads: TaskRow[], claimResult: TaskRow | null) {
    const tasks = {
      findById: jest.fn(async () => reads.shift() ?? null),
      claim: jest.fn(async () => claimResult),
      finish: jest.fn(),
      updateRunning: jest.fn(),
    };
    const workers = { findById: jest.fn(async () => ({ id: 'w1' })) };
    const events = { changed: jest.fn(async () => undefined), sessionReported: jest.fn() };
    const usecase = new ReportTaskStatusUseCase(tasks as unknown as TaskRepository, workers as unknown as WorkerRepository, events as unknown as TaskEvents);
    return { usecase, tasks, events };
  }

  it('answers a won claim with the new attempt and the stored output length, in one guarded UPDATE', async () => {
    const claimed = row({ status: 'running', attempt: 1, started_at: new Date() });
    const { usecase, tasks, events } = setup([row({})], claimed);
    const outcome = await usecase.execute('t1', { worker_id: 'w1', attempt: 0, status: 'running' });
    expect(outcome).toMatchObject({ kind: 'claimed', claim: { attempt: 1, output_offset: 12 } });
    expect(events.changed).toHaveBeenCalledWith([claimed]);
    expect(tasks.findById).not.toHaveBeenCalled();
  });

  it('re-reads and answers 409 when another claim won the guarded update', async () => {
    const { usecase, tasks, events } = setup([row({}), row({ status: 'running', attempt: 1, worker_id: 'w1' })], null);
    const err = await usecase.execute('t1', { worker_id: 'w1', attempt: 0, status: 'running' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpException);
    expect((err as HttpException).getStatus()).toBe(409);
    expect(tasks.findById).toHaveBeenCalledTimes(2);
    expect(events.changed).not.toHaveBeenCalled();
  });

  it('refuses a claim from a worker the task is not routed to once the guarded UPDATE missed', async () => {
    const { usecase, tasks } = setup([row({ worker_id: 'w1' })], null);
    const err = await usecase.execute('t1', { worker_id: 'w2', attempt: 0, status: 'running' }).catch((e: unknown) => e);
    expect((err as HttpException).getStatus()).toBe(409);
    expect(JSON.stringify((err as HttpException).getResponse())).toContain('routed to worker w1');
    expect(tasks.claim).toHaveBeenCalledTimes(1);
  });

  it('treats a running callback on a running task as an update once the claim UPDATE missed', async () => {
    const running = row({ status: 'running', attempt: 1, worker_id: 'w1' });
    const { usecase, tasks } = setup([running], null);
    tasks.updateRunning.mockResolvedValue({ ...running, session_id: 's1' } as never);
    const outcome = await usecase.execute('t1', { worker_id: 'w1', attempt: 1, status: 'running', session_id: 's1' });
    expect(outcome).toMatchObject({ kind: 'updated', task: { session_id: 's1' } });
  });

  it('answers 404 for an unknown task', async () => {
    const { usecase } = setup([], null);
    await expect(usecase.execute('nope', { worker_id: 'w1', attempt: 0, status: 'running' })).rejects.toMatchObject({ status: 404 });
  });
});
