import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Session sync (issue 3): tool-usage statistics per session, message order and a text
 * summary per message, and a search index. Per-codebase notification address (issue 4).
 */
export class SessionsSyncAndNotify1764100000000 implements MigrationInterface {
  name = 'SessionsSyncAndNotify1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sessions ADD COLUMN tool_usage jsonb NOT NULL DEFAULT '{}'`);
    await q.query(`ALTER TABLE sessions ADD COLUMN summary text`);
    await q.query(`ALTER TABLE session_messages ADD COLUMN seq integer NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE session_messages ADD COLUMN text text NOT NULL DEFAULT ''`);
    await q.query(`CREATE INDEX session_messages_order_idx ON session_messages (session_id, seq)`);
    await q.query(`ALTER TABLE codebases ADD COLUMN notification_email text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE codebases DROP COLUMN notification_email`);
    await q.query(`DROP INDEX session_messages_order_idx`);
    await q.query(`ALTER TABLE session_messages DROP COLUMN text`);
    await q.query(`ALTER TABLE session_messages DROP COLUMN seq`);
    await q.query(`ALTER TABLE sessions DROP COLUMN summary`);
    await q.query(`ALTER TABLE sessions DROP COLUMN tool_usage`);
  }
}
