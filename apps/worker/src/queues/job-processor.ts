import { Inject, Injectable } from '@nestjs/common';
import { DelayedError, type Job, UnrecoverableError, WaitingError } from 'bullmq';
import { CODEBASE_REGISTRATION_QUEUE } from '#domain';
import { parseRegistrationJob, parseTaskJob, REGISTRATION_JOB_NAME, type RegistrationJob, type TaskJob } from '#contracts';
import type { Logger } from 'pino';
import { LOGGER } from '../tokens';
import { ExecuteTaskUseCase } from '../tasks/execute-task.usecase';
import { HandleRegistrationUseCase } from '../tasks/handle-registration.usecase';

/** How long a job whose claim could not be made waits before it is tried again. */
const CLAIM_RETRY_DELAY_MS = 5000;

/** Thin BullMQ processor: validate the payload with the contracts' parser, hand off to a use case. */
@Injectable()
export class JobProcessor {
  /** Aborted at shutdown: jobs still waiting for a slot go back to the queue unclaimed. */
  private readonly stopping = new AbortController();

  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly executeTask: ExecuteTaskUseCase,
    private readonly handleRegistration: HandleRegistrationUseCase,
  ) {}

  stopTakingWork(): void {
    this.stopping.abort();
  }

  async process(job: Job, token?: string): Promise<unknown> {
    if (job.queueName === CODEBASE_REGISTRATION_QUEUE || job.name === REGISTRATION_JOB_NAME) return this.registration(job);
    return this.task(job, token);
  }

  private async task(job: Job, token?: string): Promise<unknown> {
    let task: TaskJob;
    try {
      task = parseTaskJob(job.data);
    } catch (err) {
      this.logger.error({ queue: job.queueName, job_id: job.id, err: (err as Error).message }, 'invalid task job payload; failing the job');
      throw new UnrecoverableError(`invalid task job payload: ${(err as Error).message}`);
    }
    const result = await this.executeTask.execute(task, { signal: this.stopping.signal });
    switch (result.kind) {
      case 'not_started':
        await job.moveToWait(token);
        throw new WaitingError();
      case 'claim_failed':
        await job.moveToDelayed(Date.now() + CLAIM_RETRY_DELAY_MS, token);
        throw new DelayedError();
      case 'dropped':
        return { dropped: true };
      case 'done':
        return { status: result.outcome.status };
    }
  }

  private async registration(job: Job): Promise<unknown> {
    let data: RegistrationJob;
    try {
      data = parseRegistrationJob(job.data);
    } catch (err) {
      this.logger.error({ queue: job.queueName, job_id: job.id, err: (err as Error).message }, 'invalid registration job payload; failing the job');
      throw new UnrecoverableError(`invalid registration job payload: ${(err as Error).message}`);
    }
    const result = await this.handleRegistration.handle(data, {
      attemptsMade: job.attemptsMade,
      maxAttempts: job.opts.attempts ?? 1,
      saveTried: (tried) => job.updateData({ ...(job.data as object), tried_worker_ids: tried }),
    });
    return { registration: result };
  }
}
