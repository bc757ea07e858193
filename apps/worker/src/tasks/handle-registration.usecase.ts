import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { Inject, Injectable } from '@nestjs/common';
import type { RegistrationJob } from '#contracts';
import { normalizeCodebasePath } from '#domain';
import type { Logger } from 'pino';
import type { WorkerConfig } from '../config/worker-config';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { LOGGER, WORKER_CONFIG } from '../tokens';
import { CodebaseDirectory } from './codebase-directory';

/** The path is not on this machine: the job goes back for another worker to look. */
export class PathNotHereError extends Error {
  constructor(path: string, workerId: string) {
    super(`path ${path} is not a readable directory on worker ${workerId}; leaving it to another worker`);
    this.name = 'PathNotHereError';
  }
}

export interface RegistrationJobContext {
  /** Tries already failed before this one, and how many the job has in all. */
  attemptsMade: number;
  maxAttempts: number;
  /** Persists the job's tried_worker_ids (BullMQ job.updateData). */
  saveTried(triedWorkerIds: string[]): Promise<void>;
}

export type RegistrationResult = 'registered' | 'failed' | 'dropped';

/**
 * A codebase registered by path without naming a worker (DESIGN 4.1): whoever has the path
 * claims the registration task, registers the codebase as its own and reports the codebase id.
 * A worker without it adds itself to tried_worker_ids and lets the job retry elsewhere; the
 * last try (or the last active worker to look) reports `invalid_codebase`.
 */
@Injectable()
export class HandleRegistrationUseCase {
  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly client: ControlPlaneClient,
    private readonly codebases: CodebaseDirectory,
  ) {}

  async handle(job: RegistrationJob, ctx: RegistrationJobContext): Promise<RegistrationResult> {
    const me = this.config.workerId;
    const log = this.logger.child({ task_id: job.task_id, job_attempt: job.attempt, path: job.path });
    log.info('handling registration task');
    const path = await readableDirectory(job.path);
    if (path) {
      const claim = await this.client.claim(job.task_id, me, job.attempt);
      if (!claim) {
        log.info('registration claim refused (already handled); dropped');
        return 'dropped';
      }
      try {
        const codebase = await this.client.registerCodebase({ name: job.name, path, description: job.description, worker_id: me });
        this.codebases.add({ id: codebase.id, name: codebase.name, path: codebase.path });
        await this.client.updateStatus(job.task_id, { worker_id: me, attempt: claim.attempt, status: 'completed', result: codebase.id });
        log.info({ codebase_id: codebase.id }, 'codebase registered from the registration queue');
        return 'registered';
      } catch (err) {
        log.error({ err: (err as Error).message }, 'registration failed');
        await this.client
          .updateStatus(job.task_id, { worker_id: me, attempt: claim.attempt, status: 'failed', failure_reason: 'internal', error: `registering ${path} on worker ${me} failed: ${(err as Error).message}` })
          .catch((e: Error) => log.error({ err: e.message }, 'could not report the failed registration'));
        return 'failed';
      }
    }

    const tried = [...new Set([...job.tried_worker_ids, me])];
    const lastTry = ctx.attemptsMade + 1 >= ctx.maxAttempts;
    if (lastTry || (await this.everyActiveWorkerTried(tried))) {
      const claim = await this.client.claim(job.task_id, me, job.attempt);
      if (!claim) return 'dropped';
      const error = `codebase path ${job.path} was not found (or is not a readable directory) on worker${tried.length > 1 ? 's' : ''} ${tried.join(', ')}`;
      await this.client.updateStatus(job.task_id, { worker_id: me, attempt: claim.attempt, status: 'failed', failure_reason: 'invalid_codebase', error });
      log.warn({ tried_worker_ids: tried }, 'no worker has this path; registration failed');
      return 'failed';
    }
    await ctx.saveTried(tried);
    log.info({ tried_worker_ids: tried }, 'path not on this machine; leaving the registration to another worker');
    throw new PathNotHereError(job.path, me);
  }

  private async everyActiveWorkerTried(tried: string[]): Promise<boolean> {
    const workers = await this.client.listActiveWorkers().catch(() => []);
    return workers.length > 0 && workers.every((w) => tried.includes(w.id));
  }
}

async function readableDirectory(raw: string): Promise<string | null> {
  try {
    const path = normalizeCodebasePath(raw);
    if (!(await stat(path)).isDirectory()) return null;
    await access(path, constants.R_OK | constants.X_OK);
    return path;
  } catch {
    return null;
  }
}
