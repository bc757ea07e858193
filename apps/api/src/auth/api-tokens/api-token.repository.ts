import { Injectable } from '@nestjs/common';
import { Sql } from '../../database/sql';
import type { TokenScope } from '../token-scope';
import type { ApiTokenEntity } from './api-token.entity';

export interface NewApiToken {
  id: string;
  name: string;
  scope: TokenScope;
  worker_id: string | null;
  token_hash: string;
  token_prefix: string;
  created_by: string;
  expires_in_s: number | null;
}

/** What the bearer guard needs of a token it found by hash. */
export type ActiveApiToken = Pick<ApiTokenEntity, 'id' | 'name' | 'scope' | 'worker_id' | 'expires_at'>;

/** Raw SQL on api_tokens; times come from PostgreSQL's clock so every replica agrees on expiry. */
@Injectable()
export class ApiTokenRepository {
  constructor(private readonly sql: Sql) {}

  async insert(token: NewApiToken): Promise<ApiTokenEntity> {
    const row = await this.sql.one<ApiTokenEntity>(
      `INSERT INTO api_tokens (id, name, scope, worker_id, token_hash, token_prefix, created_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $8::integer IS NULL THEN NULL ELSE now() + $8::integer * interval '1 second' END)
       RETURNING *`,
      [token.id, token.name, token.scope, token.worker_id, token.token_hash, token.token_prefix, token.created_by, token.expires_in_s],
    );
    return row!;
  }

  /** Newest first. */
  list(includeRevoked: boolean): Promise<ApiTokenEntity[]> {
    return this.sql.rows<ApiTokenEntity>(
      `SELECT * FROM api_tokens ${includeRevoked ? '' : 'WHERE revoked_at IS NULL'} ORDER BY created_at DESC, id DESC`,
    );
  }

  /** True when a token that is not revoked already has this name. */
  async activeNameTaken(name: string): Promise<boolean> {
    return (await this.sql.one(`SELECT 1 FROM api_tokens WHERE name = $1 AND revoked_at IS NULL`, [name])) !== null;
  }

  /** Sets revoked_at once (a second revoke keeps the first time); null for an unknown id. */
  revoke(id: string): Promise<ApiTokenEntity | null> {
    return this.sql.one<ApiTokenEntity>(`UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING *`, [id]);
  }

  /** The usable token with this hash: not revoked, not expired. */
  findActiveByHash(hash: string): Promise<ActiveApiToken | null> {
    return this.sql.one<ActiveApiToken>(
      `SELECT id, name, scope, worker_id, expires_at FROM api_tokens
       WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
      [hash],
    );
  }

  /** Records a use; skipped in SQL too when another replica recorded one in the last minute. */
  async touchLastUsed(id: string): Promise<void> {
    await this.sql.rows(
      `UPDATE api_tokens SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [id],
    );
  }
}
