import type { TaskStatus } from '#contracts';

/** The only moves a task can make (DESIGN 3). Terminal states have no way out. */
const ALLOWED: Record<TaskStatus, readonly TaskStatus[]> = {
  pending: ['running', 'cancelled'],
  running: ['completed', 'failed', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
};

/** Requeue is not a lifecycle move: it starts a new generation of a finished task. */
const REQUEUEABLE: readonly TaskStatus[] = ['failed', 'cancelled'];

export class InvalidTransitionError extends Error {
  constructor(
    readonly from: TaskStatus,
    readonly to: TaskStatus,
  ) {
    super(`a ${from} task cannot become ${to}`);
  }
}

export const isTerminal = (status: TaskStatus): boolean => ALLOWED[status].length === 0;

export const canTransition = (from: TaskStatus, to: TaskStatus): boolean => ALLOWED[from].includes(to);

export function assertTransition(from: TaskStatus, to: TaskStatus): void {
  if (!canTransition(from, to)) throw new InvalidTransitionError(from, to);
}

export const canRequeue = (status: TaskStatus): boolean => REQUEUEABLE.includes(status);

/** Statuses from which a worker may move the task to `to` (used in guarded UPDATEs). */
export const sourcesOf = (to: TaskStatus): TaskStatus[] =>
  (Object.keys(ALLOWED) as TaskStatus[]).filter((from) => ALLOWED[from].includes(to));
