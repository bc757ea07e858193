import { Injectable } from '@nestjs/common';
import type { ApiRequest } from '../common/http-types';
import { CodebaseRepository } from '../codebases/codebase.repository';
import { TaskRepository } from '../tasks/task.repository';
import { workerIdFromHeaders } from '../worker-stream/stream-headers';
import type { WorkerBinding } from './route-policy';

const field = (source: unknown, key: string): unknown =>
  typeof source === 'object' && source !== null && !Array.isArray(source) ? (source as Record<string, unknown>)[key] : undefined;

const shown = (value: unknown): string => (typeof value === 'string' ? `"${value}"` : 'none');

/**
 * Checks that a request made with a worker-scoped token acts for that token's worker only.
 * Runs before validation, so it reads the raw body/params/query; a resource that does not exist
 * passes through (the route answers 404 and reveals nothing about other workers).
 */
@Injectable()
export class WorkerBindingCheck {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly codebases: CodebaseRepository,
  ) {}

  /** null when the request acts for `workerId`; otherwise why not (for the 403 message). */
  async refusal(binding: WorkerBinding, req: ApiRequest, workerId: string): Promise<string | null> {
    switch (binding) {
      case 'any':
        return null;
      case 'body.worker_id': {
        const value = field(req.body, 'worker_id');
        return value === workerId ? null : `the body's worker_id must be "${workerId}" (got ${shown(value)})`;
      }
      case 'param.id':
        return req.params?.id === workerId ? null : `it may only act on worker "${workerId}", not "${req.params?.id}"`;
      case 'query.worker_id': {
        const value = field(req.query, 'worker_id');
        return value === workerId ? null : `the worker_id query parameter must be "${workerId}" (got ${shown(value)})`;
      }
      case 'header.worker_id': {
        const value = workerIdFromHeaders(req.headers);
        return value === workerId ? null : `the worker_id header must be "${workerId}" (got ${shown(value)})`;
      }
      case 'task':
        return this.taskRefusal(req.params?.id, workerId);
      case 'codebase':
        return this.codebaseRefusal(req.params?.id, workerId);
    }
  }

  private async taskRefusal(taskId: string | undefined, workerId: string): Promise<string | null> {
    if (!taskId) return null;
    const row = await this.tasks.findOwners(taskId);
    if (!row || row.worker_id === workerId || row.codebase_worker_id === workerId) return null;
    return `task ${taskId} is neither run by worker "${workerId}" nor in one of its codebases`;
  }

  private async codebaseRefusal(codebaseId: string | undefined, workerId: string): Promise<string | null> {
    if (!codebaseId) return null;
    const row = await this.codebases.findById(codebaseId);
    if (!row || row.worker_id === workerId) return null;
    return `codebase ${codebaseId} does not belong to worker "${workerId}"`;
  }
}
