import { type DataSource, MigrationExecutor } from 'typeorm';

/** Arbitrary but fixed: every replica takes the same lock, so only one migrates at a time. */
export const MIGRATION_LOCK_KEY = 724_466_101;

export interface MigrationLog {
  log(message: string): void;
}

/**
 * Applies pending migrations under a PostgreSQL advisory lock held on its own connection:
 * replicas starting together wait for each other, and the second finds nothing to do. The
 * migrations run on that same connection, so starting needs one pooled connection, not two.
 */
export async function runMigrationsLocked(dataSource: DataSource, log: MigrationLog): Promise<string[]> {
  const lockConnection = dataSource.createQueryRunner();
  await lockConnection.connect();
  try {
    await lockConnection.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const executor = new MigrationExecutor(dataSource, lockConnection);
      executor.transaction = 'each';
      const applied = await executor.executePendingMigrations();
      const names = applied.map((m) => m.name);
      log.log(names.length ? `applied migrations: ${names.join(', ')}` : 'database schema is up to date');
      return names;
    } finally {
      await lockConnection.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await lockConnection.release();
  }
}
