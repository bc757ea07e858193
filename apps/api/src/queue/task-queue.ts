import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Job, JobsOptions } from 'bullmq';
import { REGISTER_CODEBASE_AGENT_TYPE, REGISTRATION_JOB_NAME, TASK_JOB_NAME } from '#contracts';
import { CODEBASE_REGISTRATION_QUEUE, codebaseQueueName, jobIdFor, queueNameForTask } from '#domain';
import type { ApiConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import type { TaskRow } from '../tasks/task.entity';
import { bullmqPriority, registrationJobOf, taskJobOf } from './job-options';
import { QueueRegistry } from './queue-registry';
import { withTimeout } from './redis-connections';

/** Per-call budget for Redis work done inside an HTTP request. */
const REDIS_CALL_TIMEOUT_MS = 3000;
/** Short fixed backoff between workers looking for a path. */
const REGISTRATION_BACKOFF_MS = 1000;
/** Failed registration jobs are kept so the reconciler can tell "nobody has the path" from "lost". */
const FAILED_REGISTRATION_KEEP_S = 24 * 3600;

export type JobPresence = 'present' | 'missing' | 'exhausted';

/**
 * The only producer in the API: owns queue names, job ids and job options. Callers hand it
 * task rows that are already committed; enqueueing is idempotent (job id = task id + attempt).
 */
@Injectable()
export class TaskQueue {
  private readonly logger = new Logger(TaskQueue.name);

  constructor(
    private readonly registry: QueueRegistry,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  static isRegistration(task: Pick<TaskRow, 'agent_type' | 'codebase_id'>): boolean {
    return task.agent_type === REGISTER_CODEBASE_AGENT_TYPE && task.codebase_id === null;
  }

  queueNameOf(task: TaskRow): string {
    if (TaskQueue.isRegistration(task)) return CODEBASE_REGISTRATION_QUEUE;
    if (!task.worker_id) throw new Error(`task ${task.id} has no worker to route to`);
    return queueNameForTask(task.codebase_id, task.worker_id);
  }

  /**
   * Adds the job for the task's current generation. Returns false (and logs) when Redis does not
   * answer in time: the task row is committed, so the reconciler enqueues it later.
   */
  async enqueue(task: TaskRow, opts: { registrationAttempts?: number } = {}): Promise<boolean> {
    try {
      await withTimeout(this.add(task, opts.registrationAttempts ?? 1), REDIS_CALL_TIMEOUT_MS, 'enqueue');
      return true;
    } catch (err) {
      this.logger.warn({ msg: 'enqueue failed; the reconciler will retry', task_id: task.id, error: (err as Error).message });
      return false;
    }
  }

  private async add(task: TaskRow, registrationAttempts: number): Promise<void> {
    const name = this.queueNameOf(task);
    const jobId = jobIdFor(task.id, task.attempt);
    if (TaskQueue.isRegistration(task)) {
      const options: JobsOptions = {
        jobId,
        attempts: Math.max(1, registrationAttempts),
        backoff: { type: 'fixed', delay: REGISTRATION_BACKOFF_MS },
        removeOnComplete: true,
        removeOnFail: { age: FAILED_REGISTRATION_KEEP_S },
      };
      await this.registry.get(name).add(REGISTRATION_JOB_NAME, registrationJobOf(task), options);
      return;
    }
    if (task.codebase_id) {
      // One agent per working tree (DESIGN 4.2).
      await this.registry.ensureGlobalConcurrency(codebaseQueueName(task.codebase_id), 1);
    }
    const options: JobsOptions = { jobId, priority: bullmqPriority(task.priority), removeOnComplete: true, removeOnFail: true };
    await this.registry.get(name).add(TASK_JOB_NAME, taskJobOf(task), options);
  }

  /** Removes the job of the task's current generation if it is still waiting; best effort. */
  async remove(task: TaskRow): Promise<void> {
    try {
      const job = await withTimeout(this.registry.get(this.queueNameOf(task)).getJob(jobIdFor(task.id, task.attempt)), REDIS_CALL_TIMEOUT_MS, 'getJob');
      // An active job is locked by a worker; its claim will fail with 409 instead.
      if (job) await withTimeout(job.remove(), REDIS_CALL_TIMEOUT_MS, 'remove job').catch(() => undefined);
    } catch (err) {
      this.logger.warn({ msg: 'could not remove job', task_id: task.id, error: (err as Error).message });
    }
  }

  /**
   * Whether a pending task still has a live job. A completed or failed job of a pending task is
   * as good as missing and is removed so it can be added again; a registration job that used up
   * its attempts (kept as failed; completed ones are removed at once) means no worker has the path.
   * One Redis call per task: `finishedOn` is set only when a job reached completed or failed.
   */
  async presence(task: TaskRow): Promise<JobPresence> {
    const job: Job | undefined = await this.registry.get(this.queueNameOf(task)).getJob(jobIdFor(task.id, task.attempt));
    if (!job) return 'missing';
    if (!job.finishedOn) return 'present';
    if (TaskQueue.isRegistration(task)) return 'exhausted';
    await job.remove().catch(() => undefined);
    return 'missing';
  }

  /** After a Redis flush the queue's global concurrency is gone too. */
  async restoreQueueSettings(task: TaskRow): Promise<void> {
    if (!task.codebase_id || TaskQueue.isRegistration(task)) return;
    const name = codebaseQueueName(task.codebase_id);
    this.registry.forgetGlobalConcurrency(name);
    await this.registry.ensureGlobalConcurrency(name, 1);
  }

  async removeRegistrationJob(task: TaskRow): Promise<void> {
    const job = await this.registry.get(CODEBASE_REGISTRATION_QUEUE).getJob(jobIdFor(task.id, task.attempt));
    await job?.remove().catch(() => undefined);
  }

  /** Waiting (incl. prioritized), active and delayed jobs summed over the given queues. */
  async depth(queueNames: string[]): Promise<{ waiting: number; active: number; delayed: number }> {
    const total = { waiting: 0, active: 0, delayed: 0 };
    const names = [...new Set(queueNames)];
    for (let i = 0; i < names.length; i += 50) {
      const counts = await Promise.all(
        names.slice(i, i + 50).map((n) => this.registry.get(n).getJobCounts('waiting', 'prioritized', 'active', 'delayed')),
      );
      for (const c of counts) {
        total.waiting += (c.waiting ?? 0) + (c.prioritized ?? 0);
        total.active += c.active ?? 0;
        total.delayed += c.delayed ?? 0;
      }
    }
    return total;
  }

  get queuePrefix(): string {
    return this.config.queuePrefix;
  }
}
