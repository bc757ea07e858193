import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/swagger';
import type { AuthenticatedRequest } from '../authenticated-request';
import { ApiTokensService } from './api-tokens.service';
import { ApiTokenListDto, IssuedApiTokenDto } from './dto/api-token-view.dto';
import { CreateApiTokenDto } from './dto/create-api-token.dto';
import { ListApiTokensQuery } from './dto/list-api-tokens.query';

/** Bearer tokens kept in PostgreSQL (admin tokens only; see route-policy). */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin/tokens')
export class ApiTokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  @Post()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Issue a token',
    description:
      'Scope admin, client, or worker (bound to worker_id, which need not be registered yet). The token is in this answer ' +
      'only: it is stored as a SHA-256 hash. 409 when a token that is not revoked has the name.',
  })
  @ApiCreatedResponse({ type: IssuedApiTokenDto })
  @ApiErrors(400, 409)
  issue(@Body() dto: CreateApiTokenDto, @Req() req: AuthenticatedRequest): Promise<IssuedApiTokenDto> {
    return this.tokens.issue(dto, req.principal ?? 'anonymous');
  }

  @Get()
  @ApiOperation({ summary: 'List tokens', description: 'Newest first, without the tokens or their hashes; revoked ones with include_revoked=true.' })
  @ApiOkResponse({ type: ApiTokenListDto })
  @ApiErrors(400)
  async list(@Query() query: ListApiTokensQuery): Promise<ApiTokenListDto> {
    return { tokens: await this.tokens.list(query.include_revoked === 'true') };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Revoke a token',
    description: 'Idempotent. Refused at once by this replica, and by the others within AUTH_TOKEN_CACHE_MS (default 5 s).',
  })
  @ApiParam({ name: 'id', example: 'tok_k3j5m2n4p6q7r8s9' })
  @ApiNoContentResponse({ description: 'Revoked (or already revoked)' })
  @ApiErrors(404)
  revoke(@Param('id') id: string, @Req() req: AuthenticatedRequest): Promise<void> {
    return this.tokens.revoke(id, req.principal ?? 'anonymous');
  }
}
