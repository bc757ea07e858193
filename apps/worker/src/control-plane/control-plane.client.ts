import {
  API_PREFIX,
  type ClaimResponse,
  type CodebaseView,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type OutputChunkRequest,
  type RegisterWorkerRequest,
  type RegisterWorkerResponse,
  type SessionSyncRequest,
  type SessionSyncResponse,
  type TaskStatusUpdate,
  type TaskView,
  type WorkerView,
} from '#contracts';
import { ApiError, type HttpTransport, type RetryPolicy } from './http-transport';

/** Outside the /v1/agent prefix, as documented (seed 001). */
export const WORKER_TASK_STREAM_PATH = '/v1/worker/tasks/stream';

/** Startup and re-registration: keep trying until stopped. */
const FOREVER: RetryPolicy = { attempts: Infinity, baseDelayMs: 1000, maxDelayMs: 30_000 };
/** Idempotent writes that matter (status callbacks, codebase registration): about two minutes. */
const PERSISTENT: RetryPolicy = { attempts: 12, baseDelayMs: 500, maxDelayMs: 15_000 };
/** Reads and best-effort calls. */
const BRIEF: RetryPolicy = { attempts: 3, baseDelayMs: 300, maxDelayMs: 2_000 };
/** Output chunks: safe to repeat (offsets); the streamer stops it when the run is over. */
const OUTPUT: RetryPolicy = { attempts: Infinity, baseDelayMs: 250, maxDelayMs: 5_000 };

export interface CodebaseRegistration {
  name: string;
  path: string;
  description: string;
  worker_id: string;
}

/** The worker's side of the REST protocol (DESIGN 5, ARCHITECTURE "fencing"). */
export class ControlPlaneClient {
  constructor(private readonly http: HttpTransport) {}

  register(body: RegisterWorkerRequest, signal?: AbortSignal): Promise<RegisterWorkerResponse> {
    return this.http.request('POST', `${API_PREFIX}/workers/register`, { body, retry: FOREVER, signal });
  }

  registerCodebase(body: CodebaseRegistration, signal?: AbortSignal): Promise<CodebaseView> {
    return this.http.request('POST', `${API_PREFIX}/codebases`, { body, retry: PERSISTENT, signal });
  }

  /** No retry: the next heartbeat is the retry. A 404 means the server forgot this worker. */
  heartbeat(workerId: string, body: HeartbeatRequest): Promise<HeartbeatResponse> {
    return this.http.request('POST', `${API_PREFIX}/workers/${encodeURIComponent(workerId)}/heartbeat`, { body });
  }

  async unregister(workerId: string): Promise<void> {
    await this.http.request('POST', `${API_PREFIX}/workers/${encodeURIComponent(workerId)}/unregister`, { body: {}, retry: BRIEF });
  }

  /**
   * The claim: `running` with the job's attempt. Returns null when the API refuses it (409: a
   * stale or duplicate delivery; 404: the task is gone). When a try failed without an answer
   * and the retry then gets 409, the first try may have landed: the task is read back, and if
   * it is ours at the next attempt, the claim stands.
   */
  async claim(taskId: string, workerId: string, attempt: number, correlationId?: string | null): Promise<ClaimResponse | null> {
    let mayHaveLanded = false;
    try {
      return await this.http.request<ClaimResponse>('PUT', this.taskPath(taskId, 'status'), {
        body: { worker_id: workerId, attempt, status: 'running' } satisfies TaskStatusUpdate,
        retry: PERSISTENT,
        correlationId,
        onRetry: () => (mayHaveLanded = true),
      });
    } catch (err) {
      if (!(err instanceof ApiError) || (err.status !== 409 && err.status !== 404)) throw err;
      if (err.status === 409 && mayHaveLanded) {
        const task = await this.getTask(taskId).catch(() => null);
        if (task && task.status === 'running' && task.worker_id === workerId && task.attempt === attempt + 1) {
          return { task, attempt: task.attempt, output_offset: task.output_bytes };
        }
      }
      return null;
    }
  }

  async updateStatus(taskId: string, body: TaskStatusUpdate, correlationId?: string | null): Promise<void> {
    await this.http.request('PUT', this.taskPath(taskId, 'status'), { body, retry: PERSISTENT, correlationId });
  }

  async sendOutput(taskId: string, body: OutputChunkRequest, signal?: AbortSignal, correlationId?: string | null): Promise<void> {
    await this.http.request('POST', this.taskPath(taskId, 'output'), { body, retry: OUTPUT, signal, correlationId });
  }

  /** Agent sessions of one codebase (sessions/sync). 404: unknown codebase; 409: not this worker's. */
  /** `signal` (the worker stopping) aborts the request and any retry. */
  syncSessions(codebaseId: string, body: SessionSyncRequest, signal?: AbortSignal): Promise<SessionSyncResponse> {
    return this.http.request('POST', `${API_PREFIX}/codebases/${encodeURIComponent(codebaseId)}/sessions/sync`, { body, retry: BRIEF, signal });
  }

  getTask(taskId: string): Promise<TaskView> {
    return this.http.request('GET', this.taskPath(taskId), { retry: BRIEF });
  }

  getCodebase(codebaseId: string): Promise<CodebaseView> {
    return this.http.request('GET', `${API_PREFIX}/codebases/${encodeURIComponent(codebaseId)}`, { retry: BRIEF });
  }

  async listActiveWorkers(): Promise<WorkerView[]> {
    const body = await this.http.request<unknown>('GET', `${API_PREFIX}/workers`, { query: { status: 'active' }, retry: BRIEF });
    return listOf<WorkerView>(body, 'workers');
  }

  /** The HTTP fallback's poll (seed 000: GET /tasks?status=pending&worker_id=...). */
  async listPendingTasks(workerId: string): Promise<TaskView[]> {
    const body = await this.http.request<unknown>('GET', `${API_PREFIX}/tasks`, {
      query: { status: 'pending', worker_id: workerId },
    });
    return listOf<TaskView>(body, 'tasks');
  }

  /**
   * The HTTP fallback's push channel (seed 001: GET /v1/worker/tasks/stream with X-Codebases and
   * X-Capabilities): an open text/event-stream response of `task_available` events.
   */
  openTaskStream(workerId: string, codebaseIds: string[], capabilities: string[], signal: AbortSignal): Promise<Response> {
    return this.http.openStream(
      WORKER_TASK_STREAM_PATH,
      { worker_id: workerId, 'x-worker-id': workerId, 'x-codebases': codebaseIds.join(','), 'x-capabilities': capabilities.join(',') },
      signal,
    );
  }

  private taskPath(taskId: string, sub?: string): string {
    return `${API_PREFIX}/tasks/${encodeURIComponent(taskId)}${sub ? `/${sub}` : ''}`;
  }
}

/** Lists come as a bare array or wrapped (`{workers: [...]}`, `{items: [...]}`, `{data: [...]}`). */
function listOf<T>(body: unknown, key: string): T[] {
  if (Array.isArray(body)) return body as T[];
  if (typeof body === 'object' && body !== null) {
    for (const k of [key, 'items', 'data', 'results']) {
      const v = (body as Record<string, unknown>)[k];
      if (Array.isArray(v)) return v as T[];
    }
  }
  return [];
}
