import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API tokens managed through /v1/admin/tokens (DESIGN 2 and 10). Only the SHA-256 of a token is
 * stored; a name is unique among tokens that are not revoked, so a revoked name can be reused.
 */
export class ApiTokens1764200000000 implements MigrationInterface {
  name = 'ApiTokens1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_tokens (
        id            text PRIMARY KEY,
        name          text NOT NULL,
        scope         text NOT NULL CHECK (scope IN ('admin', 'client', 'worker')),
        worker_id     text,
        token_hash    text NOT NULL,
        token_prefix  text NOT NULL,
        created_at    timestamptz(3) NOT NULL DEFAULT now(),
        created_by    text NOT NULL,
        last_used_at  timestamptz(3),
        expires_at    timestamptz(3),
        revoked_at    timestamptz(3),
        CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash),
        CONSTRAINT api_tokens_worker_binding_check CHECK ((scope = 'worker') = (worker_id IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX api_tokens_active_name_key ON api_tokens (name) WHERE revoked_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_tokens`);
  }
}
