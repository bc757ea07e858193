import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * The one way repositories reach PostgreSQL: raw SQL for the guarded updates
 * (`UPDATE ... WHERE status = ... RETURNING *`) that make concurrent workers and API replicas safe.
 *
 * Transactions are ambient: inside `transaction(work)` every query of every repository runs on the
 * transaction's connection, without anyone passing a manager along. A repository call that forgot
 * to would otherwise hold one pooled connection while waiting for a second, and 25 concurrent
 * requests deadlock a pool of 20.
 */
@Injectable()
export class Sql {
  private readonly ambient = new AsyncLocalStorage<EntityManager>();

  constructor(readonly dataSource: DataSource) {}

  async rows<T>(text: string, params: unknown[] = []): Promise<T[]> {
    const raw: unknown = await (this.ambient.getStore() ?? this.dataSource.manager).query(text, params);
    return normalizeRows<T>(raw);
  }

  async one<T>(text: string, params: unknown[] = []): Promise<T | null> {
    const rows = await this.rows<T>(text, params);
    return rows[0] ?? null;
  }

  /** Runs `work` in a transaction; inside one already, `work` joins it. */
  transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.ambient.getStore()) return work();
    return this.dataSource.transaction((manager) => this.ambient.run(manager, work));
  }

  /** True while the caller runs inside `transaction()`. */
  get inTransaction(): boolean {
    return this.ambient.getStore() !== undefined;
  }
}

/** TypeORM answers UPDATE/DELETE with `[rows, rowCount]` and everything else with `rows`. */
export function normalizeRows<T>(raw: unknown): T[] {
  if (Array.isArray(raw) && raw.length === 2 && Array.isArray(raw[0]) && typeof raw[1] === 'number') return raw[0] as T[];
  return Array.isArray(raw) ? (raw as T[]) : [];
}
