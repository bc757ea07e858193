/** Task lifecycle states (DESIGN 3). Terminal states never change again. */
export const TASK_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Why a task failed or was cancelled; set on every failed task. */
export const FAILURE_REASONS = [
  'agent_exit_nonzero',
  'agent_not_found',
  'timeout',
  'idle_timeout',
  'cancelled',
  'worker_lost',
  'worker_shutdown',
  'invalid_codebase',
  'internal',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** Worker liveness as derived from heartbeat age. */
export const WORKER_STATUSES = ['active', 'stale', 'offline'] as const;
export type WorkerStatus = (typeof WORKER_STATUSES)[number];

/** agent_type values that run no agent at all: for smoke tests. */
export const BUILTIN_AGENT_TYPES = ['echo', 'noop'] as const;
/** agent_type of the special task that asks any worker to confirm a codebase path. */
export const REGISTER_CODEBASE_AGENT_TYPE = 'register_codebase';
export const DEFAULT_AGENT_TYPE = 'build';
export const DEFAULT_TOOL = 'opencode';
