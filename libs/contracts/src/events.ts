/** Redis pub/sub channels and messages (live fan-out only; nothing durable lives here). */
import type { TaskStatus } from './statuses';

/** Per-worker control channel: cancels and "your codebases changed". */
export const workerControlChannel = (workerId: string): string => `codefleet.worker.${workerId}`;
/** Per-task live output channel followed by SSE streams on every API replica. */
export const taskOutputChannel = (taskId: string): string => `codefleet.task.${taskId}`;

export type WorkerControlMessage =
  | { type: 'cancel'; task_id: string; attempt: number }
  | { type: 'codebases_changed' };

export type TaskStreamMessage =
  | { type: 'output'; offset: number; data: string }
  | { type: 'status'; status: TaskStatus };

/** SSE event names of GET /tasks/:id/output/stream. */
export const SSE_OUTPUT_EVENT = 'output';
export const SSE_DONE_EVENT = 'done';
