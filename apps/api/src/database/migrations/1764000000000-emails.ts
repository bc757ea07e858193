import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Every notification sent and every reply received, with its outcome (issue 4). */
export class Emails1764000000000 implements MigrationInterface {
  name = 'Emails1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE emails (
        id                  text PRIMARY KEY,
        direction           text NOT NULL CHECK (direction IN ('outbound', 'inbound')),
        task_id             text,
        session_id          text,
        recipient           text,
        sender              text,
        subject             text,
        message_id          text,
        dedup_message_id    text,
        status              text NOT NULL
                            CHECK (status IN ('queued', 'sent', 'failed', 'received', 'accepted', 'rejected')),
        reason              text,
        error               text,
        provider            text,
        provider_message_id text,
        attempts            integer NOT NULL DEFAULT 0,
        created_task_id     text,
        created_at          timestamptz(3) NOT NULL DEFAULT now(),
        updated_at          timestamptz(3) NOT NULL DEFAULT now()
      )`);
    // One notification per task; a replayed reply (same Message-ID) is recorded but not acted on.
    await q.query(`CREATE UNIQUE INDEX emails_outbound_task_key ON emails (task_id) WHERE direction = 'outbound'`);
    await q.query(`CREATE UNIQUE INDEX emails_inbound_message_id_key ON emails (dedup_message_id)`);
    await q.query(`CREATE INDEX emails_task_idx ON emails (task_id)`);
    await q.query(`CREATE INDEX emails_session_idx ON emails (session_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE emails`);
  }
}
