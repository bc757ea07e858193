import { Injectable } from '@nestjs/common';
import type { FailureReason, RunningTaskRef, TaskStatus } from '#contracts';
import type { PageCursor } from '#domain';
import { Sql } from '../database/sql';
import type { TaskRow } from './task.entity';

export interface NewTask {
  id: string;
  codebase_id: string | null;
  title: string;
  prompt: string;
  agent_type: string;
  tool: string | null;
  model: string | null;
  priority: number;
  worker_id: string | null;
  metadata: Record<string, unknown>;
  correlation_id: string | null;
}

export interface TaskFilter {
  status?: TaskStatus;
  worker_id?: string;
  codebase_id?: string;
}

export interface FinishFields {
  status: Extract<TaskStatus, 'completed' | 'failed' | 'cancelled'>;
  result: string | null;
  error: string | null;
  failure_reason: FailureReason | null;
  exit_code: number | null;
  output_truncated: boolean;
  session_id: string | null;
}

/**
 * Every status change is one guarded UPDATE (`WHERE status = <expected> [AND attempt = ...]`)
 * so racing workers and API replicas cannot both win; a miss returns null and the caller
 * re-reads and re-judges.
 */
@Injectable()
export class TaskRepository {
  constructor(private readonly sql: Sql) {}

  async insert(t: NewTask, now: Date): Promise<TaskRow> {
    const row = await this.sql.one<TaskRow>(
      `INSERT INTO tasks (id, codebase_id, title, prompt, agent_type, tool, model, priority, status, attempt,
                          worker_id, metadata, correlation_id, created_at, queued_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9, $10::jsonb, $11, $12, $12)
       RETURNING *`,
      [t.id, t.codebase_id, t.title, t.prompt, t.agent_type, t.tool, t.model, t.priority, t.worker_id, JSON.stringify(t.metadata), t.correlation_id, now],
    );
    return row!;
  }

  findById(id: string): Promise<TaskRow | null> {
    return this.sql.one<TaskRow>(`SELECT * FROM tasks WHERE id = $1`, [id]);
  }

  /** The newest task that ran (or runs) this agent session. */
  findLatestBySession(sessionId: string): Promise<TaskRow | null> {
    return this.sql.one<TaskRow>(`SELECT * FROM tasks WHERE session_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1`, [sessionId]);
  }

  /** Who may act on a task: its claimer and the owner of its codebase. */
  findOwners(id: string): Promise<{ worker_id: string | null; codebase_worker_id: string | null } | null> {
    return this.sql.one(
      `SELECT t.worker_id, c.worker_id AS codebase_worker_id FROM tasks t LEFT JOIN codebases c ON c.id = t.codebase_id WHERE t.id = $1`,
      [id],
    );
  }

  /** What an HTTP-fallback worker should claim first: its pending tasks, highest priority, oldest first. */
  pendingForWorker(workerId: string, excludeAgentType: string, limit: number): Promise<TaskRow[]> {
    return this.sql.rows<TaskRow>(
      `SELECT * FROM tasks WHERE status = 'pending' AND worker_id = $1 AND agent_type <> $2
       ORDER BY priority DESC, created_at ASC, id ASC LIMIT $3`,
      [workerId, excludeAgentType, limit],
    );
  }

  /** Newest first, keyset-paginated on (created_at, id); returns up to `limit + 1` rows. */
  list(filter: TaskFilter, cursor: PageCursor | null, limit: number): Promise<TaskRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (v: unknown): string => {
      params.push(v);
      return `$${params.length}`;
    };
    if (filter.status) where.push(`status = ${param(filter.status)}`);
    if (filter.codebase_id) where.push(`codebase_id = ${param(filter.codebase_id)}`);
    if (filter.worker_id) where.push(`worker_id = ${param(filter.worker_id)}`);
    if (cursor) where.push(`(created_at, id) < (${param(cursor.createdAt)}::timestamptz, ${param(cursor.id)})`);
    return this.sql.rows<TaskRow>(
      `SELECT * FROM tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at DESC, id DESC LIMIT ${param(limit + 1)}`,
      params,
    );
  }

  /**
   * The claim: only a pending task at exactly this attempt, routed to this worker or to nobody,
   * by a registered worker, and only once. One statement, as it is on the dispatch path.
   */
  claim(id: string, attempt: number, workerId: string, sessionId: string | null, now: Date): Promise<TaskRow | null> {
    return this.sql.one<TaskRow>(
      `UPDATE tasks SET status = 'running', attempt = attempt + 1, worker_id = $3, started_at = $5,
                        finished_at = NULL, cancel_requested_at = NULL, session_id = COALESCE($4, session_id)
       WHERE id = $1 AND status = 'pending' AND attempt = $2 AND (worker_id IS NULL OR worker_id = $3)
         AND EXISTS (SELECT 1 FROM workers WHERE id = $3)
       RETURNING *`,
      [id, attempt, workerId, sessionId, now],
    );
  }

  /** `running` again from the claimer: the agent revealed its session id, or output got truncated. */
  updateRunning(id: string, attempt: number, workerId: string, sessionId: string | null, outputTruncated: boolean): Promise<TaskRow | null> {
    return this.sql.one<TaskRow>(
      `UPDATE tasks SET session_id = COALESCE($4, session_id), output_truncated = output_truncated OR $5
       WHERE id = $1 AND status = 'running' AND attempt = $2 AND worker_id = $3
       RETURNING *`,
      [id, attempt, workerId, sessionId, outputTruncated],
    );
  }

  /** running -> terminal, counting it on the worker in the same statement. */
  finish(id: string, attempt: number, workerId: string, f: FinishFields, now: Date): Promise<TaskRow | null> {
    return this.sql.one<TaskRow>(
      `WITH t AS (
         UPDATE tasks SET status = $4, result = COALESCE($5, result), error = COALESCE($6, error), failure_reason = $7,
                          exit_code = COALESCE($8, exit_code), output_truncated = output_truncated OR $9,
                          session_id = COALESCE($10, session_id), finished_at = $11
         WHERE id = $1 AND status = 'running' AND attempt = $2 AND worker_id = $3
         RETURNING *
       ), w AS (
         UPDATE workers SET
           tasks_completed = tasks_completed + (SELECT count(*) FROM t WHERE t.status = 'completed'),
           tasks_failed = tasks_failed + (SELECT count(*) FROM t WHERE t.status = 'failed')
         WHERE id = $3 AND EXISTS (SELECT 1 FROM t)
       )
       SELECT * FROM t`,
      [id, attempt, workerId, f.status, f.result, f.error, f.failure_reason, f.exit_code, f.output_truncated, f.session_id, now],
    );
  }

  cancelPending(id: string, now: Date): Promise<TaskRow | null> {
    return this.sql.one<TaskRow>(
      `UPDATE tasks SET status = 'cancelled', failure_reason = 'cancelled', finished_at = $2
       WHERE id = $1 AND status = 'pending' RETURNING *`,
      [id, now],
    );
  }

  requestCancel(id: string, now: Date): Promise<TaskRow | null> {
    return this.sql.one<TaskRow>(
      `UPDATE tasks SET cancel_requested_at = COALESCE(cancel_requested_at, $2)
       WHERE id = $1 AND status = 'running' RETURNING *`,
      [id, now],
    );
  }

  /** A finished task becomes pending again as a new generation (attempt stays as the last claim left it). */
  requeue(id: string, now: Date): Promise<TaskRow | null> {
    return this.sql.one<TaskRow>(
      `UPDATE tasks SET status = 'pending', result = NULL, error = NULL, failure_reason = NULL, exit_code = NULL,
                        finished_at = NULL, cancel_requested_at = NULL, started_at = NULL, queued_at = $2
       WHERE id = $1 AND status IN ('failed', 'cancelled') RETURNING *`,
      [id, now],
    );
  }

  /** Running tasks of these workers fail with worker_lost (restart, unregister, offline). */
  failRunningOfWorkers(workerIds: string[], error: string, now: Date): Promise<TaskRow[]> {
    if (workerIds.length === 0) return Promise.resolve([]);
    return this.failLost(`status = 'running' AND worker_id = ANY($3::text[])`, [error, now, workerIds]);
  }

  /** Running tasks a worker claimed before `claimedBefore` and no longer lists in its heartbeat. */
  failUnlisted(workerId: string, listedIds: string[], claimedBefore: Date, error: string, now: Date): Promise<TaskRow[]> {
    return this.failLost(`status = 'running' AND worker_id = $3 AND started_at < $4 AND NOT (id = ANY($5::text[]))`, [
      error,
      now,
      workerId,
      claimedBefore,
      listedIds,
    ]);
  }

  /** Running tasks of workers that are offline or whose heartbeat is older than the cutoff. */
  failRunningOfLostWorkers(cutoff: Date, error: string, now: Date): Promise<TaskRow[]> {
    return this.failLost(
      `status = 'running' AND worker_id IN (
         SELECT id FROM workers WHERE status = 'offline' OR last_heartbeat_at IS NULL OR last_heartbeat_at < $3)`,
      [error, now, cutoff],
    );
  }

  /** $1 = error, $2 = now; the condition's own parameters start at $3. */
  private failLost(condition: string, params: unknown[]): Promise<TaskRow[]> {
    return this.sql.rows<TaskRow>(
      `WITH t AS (
         UPDATE tasks SET status = 'failed', failure_reason = 'worker_lost', error = COALESCE(error, $1), finished_at = $2
         WHERE ${condition}
         RETURNING *
       ), w AS (
         UPDATE workers SET tasks_failed = workers.tasks_failed + c.n
         FROM (SELECT worker_id, count(*)::int AS n FROM t GROUP BY worker_id) c
         WHERE workers.id = c.worker_id
       )
       SELECT * FROM t`,
      params,
    );
  }

  async cancelsForWorker(workerId: string): Promise<RunningTaskRef[]> {
    const rows = await this.sql.rows<{ id: string; attempt: number }>(
      `SELECT id, attempt FROM tasks WHERE worker_id = $1 AND status = 'running' AND cancel_requested_at IS NOT NULL`,
      [workerId],
    );
    return rows.map((r) => ({ task_id: r.id, attempt: r.attempt }));
  }

  findManyByIds(ids: string[]): Promise<Pick<TaskRow, 'id' | 'status' | 'attempt' | 'worker_id'>[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.sql.rows(`SELECT id, status, attempt, worker_id FROM tasks WHERE id = ANY($1::text[])`, [ids]);
  }

  async hasRunningForCodebase(codebaseId: string): Promise<boolean> {
    const row = await this.sql.one<{ n: number }>(
      `SELECT count(*)::int AS n FROM tasks WHERE codebase_id = $1 AND status = 'running'`,
      [codebaseId],
    );
    return (row?.n ?? 0) > 0;
  }

  cancelPendingForCodebase(codebaseId: string, now: Date): Promise<TaskRow[]> {
    return this.sql.rows<TaskRow>(
      `UPDATE tasks SET status = 'cancelled', failure_reason = 'cancelled', error = 'codebase deleted', finished_at = $2
       WHERE codebase_id = $1 AND status = 'pending' RETURNING *`,
      [codebaseId, now],
    );
  }

  /** Pending tasks queued before `queuedBefore`, oldest first, for the reconciler. */
  pendingForReconcile(queuedBefore: Date, afterId: string | null, limit: number): Promise<TaskRow[]> {
    return this.sql.rows<TaskRow>(
      `SELECT * FROM tasks WHERE status = 'pending' AND COALESCE(queued_at, created_at) < $1 AND ($2::text IS NULL OR id > $2)
       ORDER BY id LIMIT $3`,
      [queuedBefore, afterId, limit],
    );
  }

  /** A registration nobody could confirm: pending -> failed, only at this generation. */
  failPending(id: string, attempt: number, reason: FailureReason, error: string, now: Date): Promise<TaskRow | null> {
    return this.sql.one<TaskRow>(
      `UPDATE tasks SET status = 'failed', failure_reason = $3, error = $4, finished_at = $5
       WHERE id = $1 AND status = 'pending' AND attempt = $2 RETURNING *`,
      [id, attempt, reason, error, now],
    );
  }
}
