import { Injectable } from '@nestjs/common';
import { Sql } from '../database/sql';
import type { CodebaseEntity } from './codebase.entity';

@Injectable()
export class CodebaseRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * Registering the same (worker, path) again returns the existing codebase, reviving a deleted one.
   * `notification_email` undefined keeps the stored address (a worker re-registering its
   * configured codebases must not wipe it); null removes it.
   */
  async upsert(c: {
    id: string;
    name: string;
    path: string;
    description: string;
    worker_id: string;
    notification_email?: string | null;
  }): Promise<{ codebase: CodebaseEntity; inserted: boolean }> {
    const row = await this.sql.one<CodebaseEntity & { inserted: boolean }>(
      `INSERT INTO codebases (id, name, path, description, worker_id, status, notification_email)
       VALUES ($1, $2, $3, $4, $5, 'active', $6)
       ON CONFLICT ON CONSTRAINT codebases_worker_path_key DO UPDATE SET
         name = EXCLUDED.name, description = EXCLUDED.description, status = 'active',
         notification_email = CASE WHEN $7::boolean THEN EXCLUDED.notification_email ELSE codebases.notification_email END
       RETURNING *, (xmax = 0) AS inserted`,
      [c.id, c.name, c.path, c.description, c.worker_id, c.notification_email ?? null, c.notification_email !== undefined],
    );
    const { inserted, ...codebase } = row!;
    return { codebase: codebase as CodebaseEntity, inserted };
  }

  /** Changes the given fields of an active codebase; null when there is none. */
  update(id: string, f: { notification_email?: string | null; description?: string }): Promise<CodebaseEntity | null> {
    return this.sql.one<CodebaseEntity>(
      `UPDATE codebases SET
         notification_email = CASE WHEN $2::boolean THEN $3 ELSE notification_email END,
         description = COALESCE($4, description)
       WHERE id = $1 AND status = 'active' RETURNING *`,
      [id, f.notification_email !== undefined, f.notification_email ?? null, f.description ?? null],
    );
  }

  /**
   * The address a registration by path asked for, once that registration completed. Only the codebase at `path` on `workerId`: the id comes from a worker's task result, and a
   * worker must not be able to set the address of another worker's (or another path's) codebase.
   */
  setNotificationEmail(id: string, email: string, owner: { workerId: string; path: string }): Promise<CodebaseEntity | null> {
    return this.sql.one<CodebaseEntity>(
      `UPDATE codebases SET notification_email = $2 WHERE id = $1 AND status = 'active' AND worker_id = $3 AND path = $4 RETURNING *`,
      [id, email, owner.workerId, owner.path],
    );
  }

  /** Any status, deleted included. */
  findById(id: string): Promise<CodebaseEntity | null> {
    return this.sql.one<CodebaseEntity>(`SELECT * FROM codebases WHERE id = $1`, [id]);
  }

  lockById(id: string): Promise<CodebaseEntity | null> {
    return this.sql.one<CodebaseEntity>(`SELECT * FROM codebases WHERE id = $1 FOR UPDATE`, [id]);
  }

  /** Holds off a concurrent delete (FOR UPDATE) until the caller's transaction ends. */
  shareLockById(id: string): Promise<CodebaseEntity | null> {
    return this.sql.one<CodebaseEntity>(`SELECT * FROM codebases WHERE id = $1 FOR SHARE`, [id]);
  }

  listActive(workerId?: string): Promise<CodebaseEntity[]> {
    return workerId
      ? this.sql.rows<CodebaseEntity>(`SELECT * FROM codebases WHERE status = 'active' AND worker_id = $1 ORDER BY registered_at, id`, [workerId])
      : this.sql.rows<CodebaseEntity>(`SELECT * FROM codebases WHERE status = 'active' ORDER BY registered_at, id`);
  }

  markDeleted(id: string): Promise<CodebaseEntity | null> {
    return this.sql.one<CodebaseEntity>(`UPDATE codebases SET status = 'deleted' WHERE id = $1 RETURNING *`, [id]);
  }
}
