import { scopedChannel } from '#contracts';
import { iso } from '../workers/worker-view';
import type { TaskRow } from '../tasks/task.entity';

/** The SSE event name a worker's HTTP fallback listens for. */
export const TASK_AVAILABLE_EVENT = 'task_available';

/** `data` of a `task_available` event: enough to decide, the worker fetches and claims the task itself. */
export interface TaskAvailableData {
  task_id: string;
  codebase_id: string | null;
  agent_type: string;
  tool: string | null;
  priority: number;
  created_at: string;
}

/** What goes over Redis: the event plus the generation (queued_at), so a replayed task is not announced twice. */
export interface TaskAvailableMessage {
  type: 'task_available';
  task: TaskAvailableData;
  generation: string;
}

/** One channel per worker: a replica only hears about workers it holds streams for. */
export const workerTasksChannel = (queuePrefix: string, workerId: string): string => scopedChannel(queuePrefix, `codefleet.worker-tasks.${workerId}`);

export function taskAvailableMessage(task: TaskRow): TaskAvailableMessage {
  return {
    type: 'task_available',
    task: {
      task_id: task.id,
      codebase_id: task.codebase_id,
      agent_type: task.agent_type,
      tool: task.tool,
      priority: task.priority,
      created_at: iso(task.created_at)!,
    },
    generation: `${task.id}@${iso(task.queued_at ?? task.created_at)}`,
  };
}

export function isTaskAvailableMessage(m: unknown): m is TaskAvailableMessage {
  const v = m as TaskAvailableMessage | null;
  return typeof v === 'object' && v !== null && v.type === 'task_available' && typeof v.task?.task_id === 'string' && typeof v.generation === 'string';
}
