import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * Raw SQL for the guarded updates (`UPDATE ... WHERE status = ... RETURNING *`) that make
 * concurrent workers and API replicas safe. TypeORM answers UPDATE/DELETE with
 * `[rows, rowCount]` and everything else with `rows`; `rows()` hides the difference.
 */
@Injectable()
export class Sql {
  constructor(readonly dataSource: DataSource) {}

  async rows<T>(text: string, params: unknown[] = [], manager?: EntityManager): Promise<T[]> {
    const raw: unknown = await (manager ?? this.dataSource.manager).query(text, params);
    return normalizeRows<T>(raw);
  }

  async one<T>(text: string, params: unknown[] = [], manager?: EntityManager): Promise<T | null> {
    const rows = await this.rows<T>(text, params, manager);
    return rows[0] ?? null;
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }
}

export function normalizeRows<T>(raw: unknown): T[] {
  if (Array.isArray(raw) && raw.length === 2 && Array.isArray(raw[0]) && typeof raw[1] === 'number') return raw[0] as T[];
  return Array.isArray(raw) ? (raw as T[]) : [];
}
