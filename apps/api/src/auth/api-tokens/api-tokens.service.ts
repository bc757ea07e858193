import { Inject, Injectable, Logger } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import type { ApiConfig } from '../../config/api-config';
import { API_CONFIG } from '../../config/config.module';
import { conflict, notFound } from '../../common/api-error';
import { newId } from '../../common/ids';
import { PG_UNIQUE_VIOLATION, pgErrorCode } from '../../common/pg-errors';
import { iso } from '../../workers/worker-view';
import { TokenLookup } from '../token-lookup';
import type { ApiTokenEntity } from './api-token.entity';
import { ApiTokenRepository } from './api-token.repository';
import type { ApiTokenViewDto, IssuedApiTokenDto } from './dto/api-token-view.dto';
import type { CreateApiTokenDto } from './dto/create-api-token.dto';
import { newTokenSecret, tokenHash, tokenPrefix } from './token-secret';


/** Issues, lists and revokes the tokens of api_tokens (admin routes). */
@Injectable()
export class ApiTokensService {
  private readonly logger = new Logger(ApiTokensService.name);

  constructor(
    private readonly tokens: ApiTokenRepository,
    private readonly lookup: TokenLookup,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async issue(dto: CreateApiTokenDto, issuedBy: string): Promise<IssuedApiTokenDto> {
    // Names identify principals in logs, so an issued token may not pose as a configured one.
    if (this.config.authTokens.some((t) => t.name === dto.name)) {
      throw conflict(`A token named "${dto.name}" is configured in A2A_AUTH_TOKENS; choose another name`, { field: 'name' });
    }
    if (await this.tokens.activeNameTaken(dto.name)) throw this.nameTaken(dto.name);
    const token = newTokenSecret();
    let row: ApiTokenEntity;
    try {
      row = await this.tokens.insert({
        id: newId('tok'),
        name: dto.name,
        scope: dto.scope,
        worker_id: dto.scope === 'worker' ? (dto.worker_id ?? null) : null,
        token_hash: tokenHash(token),
        token_prefix: tokenPrefix(token),
        created_by: issuedBy,
        expires_in_s: dto.expires_in_s ?? null,
      });
    } catch (err) {
      // Two admins creating the same name at once: the partial unique index decides.
      if (err instanceof QueryFailedError && pgErrorCode(err) === PG_UNIQUE_VIOLATION) throw this.nameTaken(dto.name);
      throw err;
    }
    this.logger.log({ msg: 'api token issued', token_id: row.id, token_name: row.name, scope: row.scope, worker_id: row.worker_id, issued_by: issuedBy });
    return {
      id: row.id,
      name: row.name,
      scope: row.scope,
      worker_id: row.worker_id,
      token,
      token_prefix: row.token_prefix,
      created_at: iso(row.created_at)!,
      expires_at: iso(row.expires_at),
    };
  }

  async list(includeRevoked: boolean): Promise<ApiTokenViewDto[]> {
    return (await this.tokens.list(includeRevoked)).map(toView);
  }

  /** Idempotent: revoking a revoked token succeeds and keeps the first revocation time. */
  async revoke(id: string, revokedBy: string): Promise<void> {
    const row = await this.tokens.revoke(id);
    if (!row) throw notFound('token', id);
    this.lookup.forget(id);
    this.logger.log({ msg: 'api token revoked', token_id: id, token_name: row.name, revoked_by: revokedBy });
  }

  private nameTaken(name: string) {
    return conflict(`A token named "${name}" already exists; revoke it first or choose another name`, { field: 'name' });
  }
}

function toView(row: ApiTokenEntity): ApiTokenViewDto {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    worker_id: row.worker_id,
    token_prefix: row.token_prefix,
    created_at: iso(row.created_at)!,
    created_by: row.created_by,
    last_used_at: iso(row.last_used_at),
    expires_at: iso(row.expires_at),
    revoked_at: iso(row.revoked_at),
  };
}
