import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { opencodeStoreStamp } from './opencode-store-stamp';

describe('opencodeStoreStamp', () => {
  let dataHome: string;
  let db: DatabaseSync;
  beforeEach(() => {
    dataHome = mkdtempSync(join(tmpdir(), 'cf-oc-stamp-'));
    mkdirSync(join(dataHome, 'opencode'));
    // The store as OpenCode 1.18 leaves it: WAL journal, a session table.
    db = new DatabaseSync(join(dataHome, 'opencode', 'opencode.db'));
    db.exec("PRAGMA journal_mode = WAL; CREATE TABLE session (id TEXT, directory TEXT, time_updated INTEGER); INSERT INTO session VALUES ('s1', '/repo', 1700000000000)");
  });
  afterEach(() => {
    db.close();
    rmSync(dataHome, { recursive: true, force: true });
  });

  it('stamps the sessions of the directories', () => {
    expect(opencodeStoreStamp({ XDG_DATA_HOME: dataHome }, ['/repo'])).toBe('1:1700000000000');
  });

  it('gives up (null: ask the CLI) rather than wait on a store another process holds locked', () => {
    db.exec('PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; UPDATE session SET time_updated = 1');
    expect(opencodeStoreStamp({ XDG_DATA_HOME: dataHome }, ['/repo'])).toBeNull();
    db.exec('COMMIT');
  });
});
