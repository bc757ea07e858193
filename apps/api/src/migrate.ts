import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ConfigError } from './config/api-config';
import { createAppLogger } from './common/logging/app-logger';
import { dataSourceOptions } from './database/data-source-options';
import { runMigrationsLocked } from './database/run-migrations';

/** `npm run migrate`: applies pending migrations explicitly (the API also does it at start). Needs DATABASE_URL only. */
async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL?.trim();
  if (!databaseUrl) throw new ConfigError(['DATABASE_URL is required (postgres://user@host:5432/db)']);
  const logger = createAppLogger('info');
  const dataSource = new DataSource(dataSourceOptions({ databaseUrl }));
  await dataSource.initialize();
  try {
    await runMigrationsLocked(dataSource, { log: (message) => logger.info(message) });
  } finally {
    await dataSource.destroy();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', time: new Date().toISOString(), service: 'codefleet-migrate', msg: err.message })}\n`);
  process.exit(1);
});
