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
    const events = { changed: jest.fn(async () => undefined) };
    const usecase = new ReportTaskStatusUseCase(tasks as unknown as TaskRepository, workers as unknown as WorkerRepository, events as unknown as TaskEvents);
    return { usecase, tasks, events };
  }

  it('answers a won claim with the new attempt and the stored output length', async () => {
    const claimed = row({ status: 'running', attempt: 1, started_at: new Date() });
    const { usecase, events } = setup([row({})], claimed);
    const outcome = await usecase.execute('t1', { worker_id: 'w1', attempt: 0, status: 'running' });
    expect(outcome).toMatchObject({ kind: 'claimed', claim: { attempt: 1, output_offset: 12 } });
    expect(events.changed).toHaveBeenCalledWith([claimed]);
  });

  it('re-reads and answers 409 when another claim won the guarded update', async () => {
    const { usecase, tasks, events } = setup([row({}), row({ status: 'running', attempt: 1, worker_id: 'w1' })], null);
    const err = await usecase.execute('t1', { worker_id: 'w1', attempt: 0, status: 'running' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpException);
    expect((err as HttpException).getStatus()).toBe(409);
    expect(tasks.findById).toHaveBeenCalledTimes(2);
    expect(events.changed).not.toHaveBeenCalled();
  });

  it('refuses a claim from a worker the task is not routed to, before touching the row', async () => {
    const { usecase, tasks } = setup([row({ worker_id: 'w1' })], null);
    await expect(usecase.execute('t1', { worker_id: 'w2', attempt: 0, status: 'running' })).rejects.toMatchObject({ status: 409 });
    expect(tasks.claim).not.toHaveBeenCalled();
  });

  it('answers 404 for an unknown task', async () => {
    const { usecase } = setup([], null);
    await expect(usecase.execute('nope', { worker_id: 'w1', attempt: 0, status: 'running' })).rejects.toMatchObject({ status: 404 });
  });
});
