import { Injectable, Logger } from '@nestjs/common';
import type { ClaimResponse, FailureReason, TaskView } from '#contracts';
import { judgeStatusCallback } from '#domain';
import { conflict, notFound } from '../../common/api-error';
import { WorkerRepository } from '../../workers/worker.repository';
import type { TaskStatusUpdateDto } from '../dto/task-status-update.dto';
import type { TaskRow } from '../task.entity';
import { TaskEvents } from '../task-events';
import { toTaskView } from '../task-view';
import { type FinishFields, TaskRepository } from '../task.repository';

export type StatusReportOutcome = { kind: 'claimed'; claim: ClaimResponse } | { kind: 'updated'; task: TaskView };

export function failureReasonFor(status: FinishFields['status'], given: FailureReason | undefined): FailureReason | null {
  if (status === 'failed') return given ?? 'internal';
  if (status === 'cancelled') return given ?? 'cancelled';
  return null;
}

/**
 * Worker callback PUT /tasks/:id/status, fenced by `judgeStatusCallback`. Each verdict is
 * applied with a guarded UPDATE; if that misses (another callback won), the task is read and
 * judged again, which then answers 409. A `running` callback first tries the claim's guarded
 * UPDATE on its own (the claim is on the dispatch path): only when that misses is the task read,
 * to tell a session update from a refused claim and to say why.
 */
@Injectable()
export class ReportTaskStatusUseCase {
  private readonly logger = new Logger(ReportTaskStatusUseCase.name);

  constructor(
    private readonly tasks: TaskRepository,
    private readonly workers: WorkerRepository,
    private readonly events: TaskEvents,
  ) {}

  async execute(id: string, cb: TaskStatusUpdateDto): Promise<StatusReportOutcome> {
    if (cb.status === 'running') {
      const claimed = await this.tasks.claim(id, cb.attempt, cb.worker_id, cb.session_id ?? null, new Date());
      if (claimed) return this.claimed(claimed, cb);
    }
    for (let round = 0; round < 3; round++) {
      const task = await this.tasks.findById(id);
      if (!task) throw notFound('task', id);
      const verdict = judgeStatusCallback(task, cb);
      if (verdict.kind === 'conflict') throw conflict(verdict.reason, { status: task.status, attempt: task.attempt, worker_id: task.worker_id });
      if (verdict.kind === 'noop') return { kind: 'updated', task: toTaskView(task) };
      const now = new Date();

      if (verdict.kind === 'claim') {
        // A routed task (codebase owner, worker-global target) runs only where it was sent.
        if (task.worker_id && task.worker_id !== cb.worker_id) {
          throw conflict(`task is routed to worker ${task.worker_id}, not ${cb.worker_id}`, { status: task.status, attempt: task.attempt, worker_id: task.worker_id });
        }
        if (!(await this.workers.findById(cb.worker_id))) throw conflict(`worker ${cb.worker_id} is not registered; register before claiming tasks`);
        const claimed = await this.tasks.claim(id, cb.attempt, cb.worker_id, cb.session_id ?? null, now);
        if (!claimed) continue;
        return this.claimed(claimed, cb);
      }

      const updated = await this.applyUpdate(task, cb, now);
      if (!updated) continue;
      return { kind: 'updated', task: toTaskView(updated) };
    }
    throw conflict(`task ${id} changed concurrently; read it again`);
  }

  private claimed(claimed: TaskRow, cb: TaskStatusUpdateDto): StatusReportOutcome {
    // The worker starts the agent once it has the answer, so live followers are told in the background.
    void this.events.changed([claimed]).catch((err: Error) => this.logger.warn({ msg: 'could not publish the claim', task_id: claimed.id, error: err.message }));
    this.logger.log({ msg: 'task claimed', task_id: claimed.id, worker_id: cb.worker_id, attempt: claimed.attempt });
    return { kind: 'claimed', claim: { task: toTaskView(claimed), attempt: claimed.attempt, output_offset: Number(claimed.output_bytes) } };
  }

  private async applyUpdate(task: TaskRow, cb: TaskStatusUpdateDto, now: Date): Promise<TaskRow | null> {
    if (cb.status === 'running') {
      const running = await this.tasks.updateRunning(task.id, cb.attempt, cb.worker_id, cb.session_id ?? null, cb.output_truncated ?? false);
      if (running?.session_id && running.session_id !== task.session_id) this.events.sessionReported(running);
      return running;
    }
    const status = cb.status as FinishFields['status'];
    const finished = await this.tasks.finish(
      task.id,
      cb.attempt,
      cb.worker_id,
      {
        status,
        result: cb.result ?? null,
        error: cb.error ?? null,
        failure_reason: failureReasonFor(status, cb.failure_reason),
        exit_code: cb.exit_code ?? null,
        output_truncated: cb.output_truncated ?? false,
        session_id: cb.session_id ?? null,
      },
      now,
    );
    if (finished) {
      await this.events.changed([finished]);
      this.logger.log({ msg: `task ${finished.status}`, task_id: task.id, worker_id: cb.worker_id, failure_reason: finished.failure_reason });
    }
    return finished;
  }
}
