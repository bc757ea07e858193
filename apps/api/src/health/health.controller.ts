import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheckService } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../auth/public.decorator';
import { apiError } from '../common/api-error';
import { ApiPublicErrors } from '../common/swagger';
import { PostgresHealthIndicator } from './postgres.health';
import { RedisHealthIndicator } from './redis.health';

const READY_EXAMPLE = { status: 'ok', info: { postgres: { status: 'up' }, redis: { status: 'up' } }, error: {}, details: { postgres: { status: 'up' }, redis: { status: 'up' } } };

@ApiTags('operations')
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly postgres: PostgresHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness', description: 'The process is up and serving HTTP.' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness', description: 'PostgreSQL and Redis (queues, pub/sub) answer.' })
  @ApiOkResponse({ schema: { example: READY_EXAMPLE } })
  @ApiPublicErrors(503)
  ready() {
    return this.check();
  }

  @Get()
  @ApiOperation({ summary: 'Health (same as /health/ready)' })
  @ApiOkResponse({ schema: { example: READY_EXAMPLE } })
  @ApiPublicErrors(503)
  overall() {
    return this.check();
  }

  private async check() {
    try {
      return await this.health.check([() => this.postgres.ping(), () => this.redis.ping()]);
    } catch (err) {
      const body = (err as { getResponse?: () => unknown }).getResponse?.() as { error?: Record<string, unknown> } | undefined;
      const down = Object.keys(body?.error ?? {});
      throw apiError(503, `Not ready: ${down.length ? down.join(', ') : 'a dependency'} unavailable`, body);
    }
  }
}
