import { Injectable } from '@nestjs/common';
import type { AgentToolInfo, WorkerResources } from '#contracts';
import { Sql } from '../database/sql';
import type { WorkerEntity } from './worker.entity';

export interface WorkerRegistration {
  id: string;
  name: string;
  hostname: string | null;
  role: string | null;
  capabilities: string[];
  models: string[];
  agents: AgentToolInfo[];
  tools: string[];
  max_concurrent: number;
  version: string | null;
  resources: WorkerResources | null;
}

@Injectable()
export class WorkerRepository {
  constructor(private readonly sql: Sql) {}

  /** Insert or refresh by id (a re-register keeps counters and registered_at). */
  async upsert(w: WorkerRegistration, now: Date): Promise<{ worker: WorkerEntity; inserted: boolean }> {
    const row = await this.sql.one<WorkerEntity & { inserted: boolean }>(
      `INSERT INTO workers (id, name, hostname, role, capabilities, models, agents, tools, max_concurrent, version,
                            resources, status, last_heartbeat_at, registered_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11::jsonb, 'active', $12, $12)
       ON CONFLICT (id) DO UPDATE SET
         name = EXCLUDED.name, hostname = EXCLUDED.hostname, role = EXCLUDED.role,
         capabilities = EXCLUDED.capabilities, models = EXCLUDED.models, agents = EXCLUDED.agents,
         tools = EXCLUDED.tools, max_concurrent = EXCLUDED.max_concurrent, version = EXCLUDED.version,
         resources = COALESCE(EXCLUDED.resources, workers.resources),
         status = 'active', last_heartbeat_at = EXCLUDED.last_heartbeat_at
       RETURNING *, (xmax = 0) AS inserted`,
      [
        w.id,
        w.name,
        w.hostname,
        w.role,
        w.capabilities,
        w.models,
        JSON.stringify(w.agents),
        w.tools,
        w.max_concurrent,
        w.version,
        w.resources === null ? null : JSON.stringify(w.resources),
        now,
      ],
    );
    const { inserted, ...worker } = row!;
    return { worker: worker as WorkerEntity, inserted };
  }

  findById(id: string): Promise<WorkerEntity | null> {
    return this.sql.one<WorkerEntity>(`SELECT * FROM workers WHERE id = $1`, [id]);
  }

  listActive(): Promise<WorkerEntity[]> {
    return this.sql.rows<WorkerEntity>(`SELECT * FROM workers WHERE status = 'active' ORDER BY id`);
  }

  list(): Promise<WorkerEntity[]> {
    return this.sql.rows<WorkerEntity>(`SELECT * FROM workers ORDER BY registered_at, id`);
  }

  /** Records a heartbeat; null when the worker is unknown (it must register again). */
  heartbeat(id: string, resources: WorkerResources | null, now: Date): Promise<WorkerEntity | null> {
    return this.sql.one<WorkerEntity>(
      `UPDATE workers SET last_heartbeat_at = $2, status = 'active', resources = COALESCE($3::jsonb, resources)
       WHERE id = $1 RETURNING *`,
      [id, now, resources === null ? null : JSON.stringify(resources)],
    );
  }

  markOffline(id: string): Promise<WorkerEntity | null> {
    return this.sql.one<WorkerEntity>(`UPDATE workers SET status = 'offline' WHERE id = $1 RETURNING *`, [id]);
  }

  /** Guarded: each worker goes offline once, whichever replica sweeps first. */
  async sweepOffline(cutoff: Date): Promise<string[]> {
    const rows = await this.sql.rows<{ id: string }>(
      `UPDATE workers SET status = 'offline'
       WHERE status <> 'offline' AND (last_heartbeat_at IS NULL OR last_heartbeat_at < $1)
       RETURNING id`,
      [cutoff],
    );
    return rows.map((r) => r.id);
  }

  /** Active codebases per worker. */
  async codebaseCounts(): Promise<Map<string, number>> {
    const rows = await this.sql.rows<{ worker_id: string; n: number }>(
      `SELECT worker_id, count(*)::int AS n FROM codebases WHERE status = 'active' AND worker_id IS NOT NULL GROUP BY worker_id`,
    );
    return new Map(rows.map((r) => [r.worker_id, r.n]));
  }
}
