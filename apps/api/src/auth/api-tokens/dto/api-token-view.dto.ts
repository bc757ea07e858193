import { ApiProperty } from '@nestjs/swagger';
import { TOKEN_SCOPES, type TokenScope } from '../../token-scope';

/** A token as listed: never the token, never its hash. */
export class ApiTokenViewDto {
  @ApiProperty({ example: 'tok_k3j5m2n4p6q7r8s9' }) id: string;
  @ApiProperty({ example: 'box1' }) name: string;
  @ApiProperty({ enum: TOKEN_SCOPES, example: 'worker' }) scope: TokenScope;
  @ApiProperty({ example: 'box1', nullable: true, type: String }) worker_id: string | null;
  @ApiProperty({ example: 'cf_Qx7aZ', description: 'The first 8 characters of the token, to recognise it' }) token_prefix: string;
  @ApiProperty({ example: '2026-11-23T14:00:00.000Z' }) created_at: string;
  @ApiProperty({ example: 'ops@admin', description: 'Who issued it' }) created_by: string;
  @ApiProperty({ example: '2026-11-23T14:05:00.000Z', nullable: true, type: String, description: 'Updated at most once a minute' }) last_used_at: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) expires_at: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) revoked_at: string | null;
}

export class ApiTokenListDto {
  @ApiProperty({ type: [ApiTokenViewDto] }) tokens: ApiTokenViewDto[];
}

/** The answer to POST /v1/admin/tokens: the only time the token is shown. */
export class IssuedApiTokenDto {
  @ApiProperty({ example: 'tok_k3j5m2n4p6q7r8s9' }) id: string;
  @ApiProperty({ example: 'box1' }) name: string;
  @ApiProperty({ enum: TOKEN_SCOPES, example: 'worker' }) scope: TokenScope;
  @ApiProperty({ example: 'box1', nullable: true, type: String }) worker_id: string | null;
  @ApiProperty({ example: 'cf_Qx7aZ...', description: 'The bearer token. Shown once: it is stored only as a hash' }) token: string;
  @ApiProperty({ example: 'cf_Qx7aZ' }) token_prefix: string;
  @ApiProperty({ example: '2026-11-23T14:00:00.000Z' }) created_at: string;
  @ApiProperty({ example: null, nullable: true, type: String }) expires_at: string | null;
}
