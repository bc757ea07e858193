import type { TaskStatus } from '#contracts';
import { canTransition, isTerminal } from './task-state';

/**
 * Fencing (DESIGN 3): every claim increments `attempt`; every later callback must carry the
 * current attempt and come from the worker that claimed. A worker that lost its lease can
 * therefore never overwrite the one that holds it.
 */
export interface FencedTask {
  status: TaskStatus;
  attempt: number;
  worker_id: string | null;
}

export interface WorkerCallback {
  worker_id: string;
  attempt: number;
  status: TaskStatus;
}

export type FencingVerdict =
  | { kind: 'claim'; nextAttempt: number }
  | { kind: 'update' }
  | { kind: 'noop' }
  | { kind: 'conflict'; reason: string };

export function judgeStatusCallback(task: FencedTask, cb: WorkerCallback): FencingVerdict {
  if (task.status === 'pending') {
    if (cb.status !== 'running') return { kind: 'conflict', reason: `task is pending; claim it with status running first` };
    if (cb.attempt !== task.attempt) {
      return { kind: 'conflict', reason: `stale attempt ${cb.attempt}: the task is at attempt ${task.attempt}` };
    }
    return { kind: 'claim', nextAttempt: task.attempt + 1 };
  }
  if (task.worker_id !== cb.worker_id) {
    return { kind: 'conflict', reason: `task belongs to worker ${task.worker_id ?? 'none'}, not ${cb.worker_id}` };
  }
  if (cb.attempt !== task.attempt) {
    return { kind: 'conflict', reason: `stale attempt ${cb.attempt}: the task is at attempt ${task.attempt}` };
  }
  // A retried terminal callback is harmless; a different late one must not rewrite history.
  if (isTerminal(task.status)) {
    return cb.status === task.status ? { kind: 'noop' } : { kind: 'conflict', reason: `task already ${task.status}` };
  }
  if (cb.status === task.status) return { kind: 'update' };
  if (!canTransition(task.status, cb.status)) {
    return { kind: 'conflict', reason: `a ${task.status} task cannot become ${cb.status}` };
  }
  return { kind: 'update' };
}

/** Output chunks are accepted from the claiming worker's current attempt only. */
export function judgeOutputCallback(task: FencedTask, workerId: string, attempt: number): string | null {
  if (task.status === 'pending') return 'task has not been claimed';
  if (task.worker_id !== workerId) return `task belongs to worker ${task.worker_id ?? 'none'}, not ${workerId}`;
  if (task.attempt !== attempt) return `stale attempt ${attempt}: the task is at attempt ${task.attempt}`;
  return null;
}
