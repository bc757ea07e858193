/**
 * BullMQ job payloads shared by the API (producer) and the worker (consumer).
 * The worker validates every payload with these parsers before acting on it.
 */
import { expectInteger, expectObject, expectOptionalString, expectString, PayloadError } from './payload-checks';

export const TASK_JOB_NAME = 'task';
export const REGISTRATION_JOB_NAME = 'register-codebase';

/** A task to run on the worker that owns `codebase_id`. */
export interface TaskJob {
  task_id: string;
  /** Generation the job was enqueued for; the claim must present it (fencing). */
  attempt: number;
  codebase_id: string | null;
  worker_id: string;
  title: string;
  prompt: string;
  agent_type: string;
  tool: string | null;
  model: string | null;
  resume_session_id: string | null;
  timeout_s: number | null;
  /** Overrides the worker's idle_timeout_s for this task (0: no idle watchdog); absent/null: the worker's. */
  idle_timeout_s?: number | null;
  correlation_id: string | null;
}

/** Ask any online worker to confirm that `path` exists on its machine. */
export interface RegistrationJob {
  task_id: string;
  attempt: number;
  name: string;
  path: string;
  description: string;
  /** Workers that already looked and did not find the path. */
  tried_worker_ids: string[];
}

export function parseTaskJob(data: unknown): TaskJob {
  const o = expectObject(data, 'task job');
  return {
    task_id: expectString(o, 'task_id'),
    attempt: expectInteger(o, 'attempt'),
    codebase_id: expectOptionalString(o, 'codebase_id'),
    worker_id: expectString(o, 'worker_id'),
    title: expectOptionalString(o, 'title') ?? '',
    prompt: expectOptionalString(o, 'prompt') ?? '',
    agent_type: expectString(o, 'agent_type'),
    tool: expectOptionalString(o, 'tool'),
    model: expectOptionalString(o, 'model'),
    resume_session_id: expectOptionalString(o, 'resume_session_id'),
    timeout_s: o.timeout_s == null ? null : expectInteger(o, 'timeout_s'),
    idle_timeout_s: o.idle_timeout_s == null ? null : expectInteger(o, 'idle_timeout_s'),
    correlation_id: expectOptionalString(o, 'correlation_id'),
  };
}

export function parseRegistrationJob(data: unknown): RegistrationJob {
  const o = expectObject(data, 'registration job');
  const tried = o.tried_worker_ids ?? [];
  if (!Array.isArray(tried) || tried.some((t) => typeof t !== 'string')) {
    throw new PayloadError('tried_worker_ids must be an array of strings');
  }
  return {
    task_id: expectString(o, 'task_id'),
    attempt: expectInteger(o, 'attempt'),
    name: expectString(o, 'name'),
    path: expectString(o, 'path'),
    description: expectOptionalString(o, 'description') ?? '',
    tried_worker_ids: tried as string[],
  };
}
