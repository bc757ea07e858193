import { Column, Entity, Index, PrimaryColumn, Unique } from 'typeorm';
import type { TokenScope } from '../token-scope';

/**
 * A bearer token issued through /v1/admin/tokens. The token itself is never stored: only its
 * SHA-256 (to find it) and its first characters (so people can tell tokens apart).
 */
@Entity({ name: 'api_tokens' })
@Unique('api_tokens_token_hash_key', ['token_hash'])
@Index('api_tokens_active_name_key', ['name'], { unique: true, where: 'revoked_at IS NULL' })
export class ApiTokenEntity {
  @PrimaryColumn('text')
  id: string;

  @Column('text')
  name: string;

  @Column('text')
  scope: TokenScope;

  /** Only for scope worker: the one worker the token may act as. */
  @Column('text', { nullable: true })
  worker_id: string | null;

  @Column('text')
  token_hash: string;

  @Column('text')
  token_prefix: string;

  @Column('timestamp with time zone', { precision: 3, default: () => 'now()' })
  created_at: Date;

  /** The principal that issued it (`ops@admin`). */
  @Column('text')
  created_by: string;

  @Column('timestamp with time zone', { precision: 3, nullable: true })
  last_used_at: Date | null;

  @Column('timestamp with time zone', { precision: 3, nullable: true })
  expires_at: Date | null;

  @Column('timestamp with time zone', { precision: 3, nullable: true })
  revoked_at: Date | null;
}
