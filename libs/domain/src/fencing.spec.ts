import { judgeOutputCallback, judgeStatusCallback } from './fencing';

const running = { status: 'running' as const, attempt: 2, worker_id: 'w1' };

describe('fencing of worker callbacks', () => {
  it('a claim at the current attempt wins and bumps the attempt', () => {
    expect(judgeStatusCallback({ status: 'pending', attempt: 1, worker_id: null }, { worker_id: 'w1', attempt: 1, status: 'running' })).toEqual({
      kind: 'claim',
      nextAttempt: 2,
    });
  });

  it('a claim with a stale attempt is refused', () => {
    const v = judgeStatusCallback({ status: 'pending', attempt: 1, worker_id: 'w0' }, { worker_id: 'w1', attempt: 0, status: 'running' });
    expect(v).toEqual({ kind: 'conflict', reason: 'stale attempt 0: the task is at attempt 1' });
  });

  it('a pending task cannot be completed without a claim', () => {
    expect(judgeStatusCallback({ status: 'pending', attempt: 0, worker_id: null }, { worker_id: 'w1', attempt: 0, status: 'completed' }).kind).toBe('conflict');
  });

  it('refuses callbacks from another worker or an older attempt', () => {
    expect(judgeStatusCallback(running, { worker_id: 'w2', attempt: 2, status: 'completed' })).toEqual({
      kind: 'conflict',
      reason: 'task belongs to worker w1, not w2',
    });
    expect(judgeStatusCallback(running, { worker_id: 'w1', attempt: 1, status: 'completed' }).kind).toBe('conflict');
  });

  it('accepts the holder finishing, and a session update while running', () => {
    expect(judgeStatusCallback(running, { worker_id: 'w1', attempt: 2, status: 'completed' })).toEqual({ kind: 'update' });
    expect(judgeStatusCallback(running, { worker_id: 'w1', attempt: 2, status: 'running' })).toEqual({ kind: 'update' });
  });

  it('a retried terminal callback is a no-op, a different late one a conflict', () => {
    const done = { ...running, status: 'failed' as const };
    expect(judgeStatusCallback(done, { worker_id: 'w1', attempt: 2, status: 'failed' })).toEqual({ kind: 'noop' });
    expect(judgeStatusCallback(done, { worker_id: 'w1', attempt: 2, status: 'completed' })).toEqual({ kind: 'conflict', reason: 'task already failed' });
  });

  it('fences output chunks the same way', () => {
    expect(judgeOutputCallback(running, 'w1', 2)).toBeNull();
    expect(judgeOutputCallback(running, 'w1', 1)).toMatch(/stale attempt/);
    expect(judgeOutputCallback(running, 'w9', 2)).toMatch(/belongs to worker w1/);
    expect(judgeOutputCallback({ status: 'pending', attempt: 0, worker_id: null }, 'w1', 0)).toBe('task has not been claimed');
  });
});
