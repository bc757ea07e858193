import type { TaskView } from '#contracts';
import { iso } from '../workers/worker-view';
import type { TaskRow } from './task.entity';

export const toTaskView = (t: TaskRow): TaskView => ({
  id: t.id,
  codebase_id: t.codebase_id,
  title: t.title,
  prompt: t.prompt,
  agent_type: t.agent_type,
  tool: t.tool,
  model: t.model,
  priority: t.priority,
  status: t.status,
  attempt: t.attempt,
  worker_id: t.worker_id,
  session_id: t.session_id,
  result: t.result,
  error: t.error,
  failure_reason: t.failure_reason,
  exit_code: t.exit_code,
  metadata: t.metadata ?? {},
  cancel_requested: t.cancel_requested_at != null,
  created_at: iso(t.created_at)!,
  queued_at: iso(t.queued_at),
  started_at: iso(t.started_at),
  finished_at: iso(t.finished_at),
  output_bytes: Number(t.output_bytes),
  output_truncated: t.output_truncated,
});
