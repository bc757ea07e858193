import { Inject, Injectable, Optional } from '@nestjs/common';
import { BUILTIN_AGENT_TYPES, type TaskJob, type TaskStatusUpdate } from '#contracts';
import type { Logger } from 'pino';
import type { WorkerConfig } from '../config/worker-config';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { ApiError } from '../control-plane/http-transport';
import { AgentRunService } from '../runner/agent-run.service';
import type { RunOutcome } from '../runner/run-outcome';
import { SessionSyncService } from '../sessions/session-sync.service';
import { LOGGER, WORKER_CONFIG } from '../tokens';
import { RunningTasks } from './running-tasks';
import { SlotSemaphore, SlotWaitAborted } from './slot-semaphore';

export type ExecuteResult =
  /** Stopped before the claim (shutdown while waiting for a slot): the job should go back. */
  | { kind: 'not_started' }
  /** The claim could not be made (control plane unreachable): try the job again later. */
  | { kind: 'claim_failed'; error: Error }
  /** The API refused the claim (stale or duplicate delivery): nothing ran. */
  | { kind: 'dropped' }
  | { kind: 'done'; outcome: RunOutcome };

/**
 * Slot -> claim -> run -> report (ARCHITECTURE "fencing"). The claim presents the job's
 * attempt; every later callback carries the attempt the claim returned.
 */
@Injectable()
export class ExecuteTaskUseCase {
  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly client: ControlPlaneClient,
    private readonly runs: AgentRunService,
    private readonly running: RunningTasks,
    private readonly slots: SlotSemaphore,
    @Optional() private readonly sessions?: SessionSyncService,
  ) {}

  async execute(task: TaskJob, opts: { signal?: AbortSignal } = {}): Promise<ExecuteResult> {
    const log = this.logger.child({ task_id: task.task_id, job_attempt: task.attempt, correlation_id: task.correlation_id ?? undefined });
    let release: () => void;
    try {
      release = await this.slots.acquire(opts.signal);
    } catch (err) {
      if (err instanceof SlotWaitAborted) return { kind: 'not_started' };
      throw err;
    }
    try {
      if (opts.signal?.aborted) return { kind: 'not_started' };
      let claim;
      try {
        claim = await this.client.claim(task.task_id, this.config.workerId, task.attempt, task.correlation_id);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'could not claim the task; it will be tried again');
        return { kind: 'claim_failed', error: err as Error };
      }
      if (!claim) {
        log.info('claim refused (stale or duplicate delivery); dropped without running');
        return { kind: 'dropped' };
      }
      const runLog = log.child({ attempt: claim.attempt });
      runLog.info({ agent_type: task.agent_type, tool: task.tool ?? this.config.defaultTool, codebase_id: task.codebase_id }, 'task claimed');
      const run = this.runs.start(task, claim, runLog);
      this.running.add({
        taskId: task.task_id,
        attempt: claim.attempt,
        correlationId: task.correlation_id,
        cancel: (reason) => run.cancel(reason),
        kill: () => run.kill(),
      });
      try {
        const outcome = await run.outcome;
        await this.report(task, claim.attempt, outcome, runLog);
        if (task.codebase_id && outcome.status !== 'lost' && !(BUILTIN_AGENT_TYPES as readonly string[]).includes(task.agent_type)) {
          this.sessions?.syncSoon(task.codebase_id, task.tool ?? this.config.defaultTool);
        }
        return { kind: 'done', outcome };
      } finally {
        this.running.remove(task.task_id);
      }
    } finally {
      release();
    }
  }

  private async report(task: TaskJob, attempt: number, outcome: RunOutcome, log: Logger): Promise<void> {
    if (outcome.status === 'lost') {
      log.warn({ reason: outcome.reason }, 'run fenced off by the control plane; no status reported');
      return;
    }
    const update: TaskStatusUpdate = { worker_id: this.config.workerId, attempt, status: outcome.status, output_truncated: outcome.output_truncated };
    if (outcome.status === 'completed') update.result = outcome.result;
    else {
      update.error = outcome.error;
      update.failure_reason = outcome.failure_reason;
      if (outcome.status === 'failed' && outcome.exit_code !== undefined) update.exit_code = outcome.exit_code;
    }
    try {
      await this.client.updateStatus(task.task_id, update, task.correlation_id);
      log.info({ status: outcome.status, failure_reason: update.failure_reason, exit_code: update.exit_code }, 'task finished');
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) log.warn({ err: err.message }, 'final status refused (the task was taken over or already ended)');
      else log.error({ err: (err as Error).message, status: outcome.status }, 'could not report the final status');
    }
  }
}
