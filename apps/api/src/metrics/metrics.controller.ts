import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { PublicWhen } from '../auth/public.decorator';
import { MetricsService } from './metrics.service';

@ApiTags('operations')
@Controller('metrics')
@SkipThrottle()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @PublicWhen('metricsPublic')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Prometheus metrics', description: 'Public unless METRICS_PUBLIC=false, then a bearer token is needed.' })
  @ApiOkResponse({ description: 'Prometheus text exposition format', schema: { type: 'string', example: 'codefleet_tasks_total{status="completed"} 42' } })
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
