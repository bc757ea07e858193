import type { DataSourceOptions } from 'typeorm';
import type { ApiConfig } from '../config/api-config';
import { ApiTokenEntity } from '../auth/api-tokens/api-token.entity';
import { CodebaseEntity } from '../codebases/codebase.entity';
import { EmailEntity } from '../email/email.entity';
import { TaskOutputEntity } from '../output/task-output.entity';
import { SessionMessageEntity } from '../sessions/session-message.entity';
import { SessionEntity } from '../sessions/session.entity';
import { TaskEntity } from '../tasks/task.entity';
import { WorkerEntity } from '../workers/worker.entity';
import { InitialSchema1763888400000 } from './migrations/1763888400000-initial-schema';
import { Emails1764000000000 } from './migrations/1764000000000-emails';
import { SessionsSyncAndNotify1764100000000 } from './migrations/1764100000000-sessions-sync-and-notify';
import { ApiTokens1764200000000 } from './migrations/1764200000000-api-tokens';
import { EmailSendClaim1764300000000 } from './migrations/1764300000000-email-send-claim';
import { NotificationPerRun1764400000000 } from './migrations/1764400000000-notification-per-run';

export const ENTITIES = [WorkerEntity, CodebaseEntity, TaskEntity, TaskOutputEntity, SessionEntity, SessionMessageEntity, EmailEntity, ApiTokenEntity];
/** Listed explicitly (no globs), so the same list works from ts-jest and from dist/. */
export const MIGRATIONS = [InitialSchema1763888400000, Emails1764000000000, SessionsSyncAndNotify1764100000000, ApiTokens1764200000000, EmailSendClaim1764300000000, NotificationPerRun1764400000000];

export const MIGRATIONS_TABLE = 'schema_migrations';

export function dataSourceOptions(config: Pick<ApiConfig, 'databaseUrl'> & Partial<Pick<ApiConfig, 'databasePoolMax'>>): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: { max: config.databasePoolMax ?? 20, connectionTimeoutMillis: 10_000, application_name: 'codefleet-api' },
  };
}
