import { join } from 'node:path';

/** node:sqlite, loaded lazily so a runtime without it just skips the shortcut. */
type SqliteModule = typeof import('node:sqlite');
let sqlite: SqliteModule | null | undefined;

function loadSqlite(): SqliteModule | null {
  if (sqlite === undefined) {
    try {
      sqlite = require('node:sqlite') as SqliteModule;
    } catch {
      sqlite = null;
    }
  }
  return sqlite;
}

/** How long a locked store may hold up the (synchronous) read. */
const BUSY_TIMEOUT_MS = 50;

/**
 * A cheap "has anything changed?" stamp for the OpenCode sessions of some directories, read
 * straight from OpenCode's SQLite store (`$XDG_DATA_HOME/opencode/opencode.db`, read-only).
 * `opencode session list` costs a whole CLI start (~1.5 s of CPU) and writes to that database
 * itself, so file times cannot tell; the `session` table's row count and newest time_updated
 * can. Null when the store or its schema is not what OpenCode 1.18 writes: then the caller
 * simply asks the CLI.
 */
export function opencodeStoreStamp(env: NodeJS.ProcessEnv, directories: string[]): string | null {
  const dataHome = env.XDG_DATA_HOME || (env.HOME ? join(env.HOME, '.local', 'share') : null);
  const lib = loadSqlite();
  if (!dataHome || !lib || directories.length === 0) return null;
  let db: InstanceType<SqliteModule['DatabaseSync']> | null = null;
  try {
    // OpenCode 1.18 keeps the db in WAL mode, where a reader waits only on rare moments (a
    // checkpoint, a crashed writer's recovery). This call blocks the event loop, so a busy db
    // gets a short wait and then null: the caller asks the CLI instead.
    db = new lib.DatabaseSync(join(dataHome, 'opencode', 'opencode.db'), { readOnly: true, timeout: BUSY_TIMEOUT_MS });
    const marks = directories.map(() => '?').join(', ');
    const row = db.prepare(`SELECT count(*) AS n, max(time_updated) AS latest FROM session WHERE directory IN (${marks})`).get(...directories) as
      | { n: number; latest: number | null }
      | undefined;
    return row ? `${row.n}:${row.latest ?? 0}` : null;
  } catch {
    return null;
  } finally {
    try {
      db?.close();
    } catch {
      // already closed or never opened
    }
  }
}
