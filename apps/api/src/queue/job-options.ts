import type { RegistrationJob, TaskJob } from '#contracts';
import type { TaskRow } from '../tasks/task.entity';

export const MAX_TASK_PRIORITY = 100;

/**
 * Task priority is 0..100, higher first; BullMQ priority is 1 (highest) and up. Every task job
 * gets a priority, so all of them sit in the same prioritized set and FIFO holds within a level.
 */
export const bullmqPriority = (priority: number): number => MAX_TASK_PRIORITY + 1 - Math.max(0, Math.min(MAX_TASK_PRIORITY, priority));

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null);

export function taskJobOf(task: TaskRow): TaskJob {
  if (!task.worker_id) throw new Error(`task ${task.id} has no worker to route to`);
  return {
    task_id: task.id,
    attempt: task.attempt,
    codebase_id: task.codebase_id,
    worker_id: task.worker_id,
    title: task.title,
    prompt: task.prompt,
    agent_type: task.agent_type,
    tool: task.tool,
    model: task.model,
    resume_session_id: str(task.metadata?.resume_session_id),
    timeout_s: int(task.metadata?.timeout_s),
    idle_timeout_s: int(task.metadata?.idle_timeout_s),
    correlation_id: task.correlation_id,
  };
}

/** Registration tasks keep what to register in their metadata. */
export function registrationJobOf(task: TaskRow): RegistrationJob {
  const m = task.metadata ?? {};
  return {
    task_id: task.id,
    attempt: task.attempt,
    name: str(m.name) ?? '',
    path: str(m.path) ?? task.prompt,
    description: typeof m.description === 'string' ? m.description : '',
    tried_worker_ids: [],
  };
}
