/**
 * REST shapes between the worker daemon and the control plane (DESIGN 5), snake_case as the
 * seed documents show them. The API's DTOs implement these; the worker's client sends them.
 */
import type { FailureReason, TaskStatus, WorkerStatus } from './statuses';

export const API_PREFIX = '/v1/agent';
/** The older documented prefix; every /v1/agent route also answers here. */
export const LEGACY_API_PREFIX = '/v1/opencode';

export interface WorkerResources {
  cpu_percent?: number;
  cpu_count?: number;
  load_avg?: number[];
  memory_total_bytes?: number;
  memory_used_bytes?: number;
  disk_total_bytes?: number;
  disk_free_bytes?: number;
}

export interface AgentToolInfo {
  name: string;
  version?: string | null;
  bin?: string | null;
}

export interface RegisterWorkerRequest {
  worker_id: string;
  name: string;
  hostname?: string;
  role?: string;
  capabilities?: string[];
  models?: string[];
  agents?: AgentToolInfo[];
  max_concurrent?: number;
  version?: string;
  resources?: WorkerResources;
}

/** The intervals come from the server so an operator can tune the whole fleet in one place. */
export interface RegisterWorkerResponse {
  worker: WorkerView;
  heartbeat_interval_s: number;
  session_sync_interval_s: number;
  redis_url: string | null;
  queue_prefix: string;
}

export interface RunningTaskRef {
  task_id: string;
  attempt: number;
}

export interface HeartbeatRequest {
  resources?: WorkerResources;
  running_tasks?: RunningTaskRef[];
}

export interface CodebaseRef {
  id: string;
  name: string;
  path: string;
}

export interface HeartbeatResponse {
  status: WorkerStatus;
  /** Running tasks the worker must stop (a missed pub/sub cancel is caught here). */
  cancels: RunningTaskRef[];
  /** The codebases this worker owns: it consumes exactly these queues. */
  codebases: CodebaseRef[];
  heartbeat_interval_s: number;
}

export interface WorkerView {
  id: string;
  name: string;
  hostname: string | null;
  role: string | null;
  capabilities: string[];
  models: string[];
  agents: AgentToolInfo[];
  max_concurrent: number;
  status: WorkerStatus;
  last_heartbeat: string | null;
  resources: WorkerResources | null;
  version: string | null;
  registered_at: string;
  tasks_completed: number;
  tasks_failed: number;
  codebases: number;
}

export interface CodebaseView {
  id: string;
  name: string;
  path: string;
  description: string;
  worker_id: string | null;
  status: string;
  registered_at: string;
  /** Where this codebase's task notifications go when a task names no metadata.notify_email. */
  notification_email?: string | null;
}

export interface TaskView {
  id: string;
  codebase_id: string | null;
  title: string;
  prompt: string;
  agent_type: string;
  tool: string | null;
  model: string | null;
  priority: number;
  status: TaskStatus;
  attempt: number;
  worker_id: string | null;
  session_id: string | null;
  result: string | null;
  error: string | null;
  failure_reason: FailureReason | null;
  exit_code: number | null;
  metadata: Record<string, unknown>;
  cancel_requested: boolean;
  created_at: string;
  queued_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  output_bytes: number;
  output_truncated: boolean;
}

/** PUT /tasks/:id/status. `running` with the job's attempt is the claim. */
export interface TaskStatusUpdate {
  worker_id: string;
  attempt: number;
  status: TaskStatus;
  session_id?: string;
  result?: string;
  error?: string;
  failure_reason?: FailureReason;
  exit_code?: number;
  output_truncated?: boolean;
}

/** Answer to a claim: the attempt every later callback must carry, and where output resumes. */
export interface ClaimResponse {
  task: TaskView;
  attempt: number;
  output_offset: number;
}

export interface OutputChunkRequest {
  worker_id: string;
  attempt: number;
  offset: number;
  data: string;
}

export interface OutputChunkView {
  offset: number;
  data: string;
}

export interface TaskOutputResponse {
  task_id: string;
  offset: number;
  next_offset: number;
  output_bytes: number;
  output_truncated: boolean;
  chunks: OutputChunkView[];
}

/** The one JSON error shape used by every route. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
}
