import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Sql } from '../database/sql';
import type { CodebaseEntity } from './codebase.entity';

@Injectable()
export class CodebaseRepository {
  constructor(private readonly sql: Sql) {}

  /** Registering the same (worker, path) again returns the existing codebase, reviving a deleted one. */
  async upsert(c: { id: string; name: string; path: string; description: string; worker_id: string }): Promise<{ codebase: CodebaseEntity; inserted: boolean }> {
    const row = await this.sql.one<CodebaseEntity & { inserted: boolean }>(
      `INSERT INTO codebases (id, name, path, description, worker_id, status)
       VALUES ($1, $2, $3, $4, $5, 'active')
       ON CONFLICT ON CONSTRAINT codebases_worker_path_key DO UPDATE SET
         name = EXCLUDED.name, description = EXCLUDED.description, status = 'active'
       RETURNING *, (xmax = 0) AS inserted`,
      [c.id, c.name, c.path, c.description, c.worker_id],
    );
    const { inserted, ...codebase } = row!;
    return { codebase: codebase as CodebaseEntity, inserted };
  }

  /** Any status, deleted included. */
  findById(id: string, manager?: EntityManager): Promise<CodebaseEntity | null> {
    return this.sql.one<CodebaseEntity>(`SELECT * FROM codebases WHERE id = $1`, [id], manager);
  }

  lockById(id: string, manager: EntityManager): Promise<CodebaseEntity | null> {
    return this.sql.one<CodebaseEntity>(`SELECT * FROM codebases WHERE id = $1 FOR UPDATE`, [id], manager);
  }

  /** Holds off a concurrent delete (FOR UPDATE) until the caller's transaction ends. */
  shareLockById(id: string, manager: EntityManager): Promise<CodebaseEntity | null> {
    return this.sql.one<CodebaseEntity>(`SELECT * FROM codebases WHERE id = $1 FOR SHARE`, [id], manager);
  }

  listActive(workerId?: string): Promise<CodebaseEntity[]> {
    return workerId
      ? this.sql.rows<CodebaseEntity>(`SELECT * FROM codebases WHERE status = 'active' AND worker_id = $1 ORDER BY registered_at, id`, [workerId])
      : this.sql.rows<CodebaseEntity>(`SELECT * FROM codebases WHERE status = 'active' ORDER BY registered_at, id`);
  }

  markDeleted(id: string, manager: EntityManager): Promise<CodebaseEntity | null> {
    return this.sql.one<CodebaseEntity>(`UPDATE codebases SET status = 'deleted' WHERE id = $1 RETURNING *`, [id], manager);
  }
}
