import { Global, Module } from '@nestjs/common';
import { MetricsCollectors } from './metrics.collectors';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsService, MetricsCollectors],
  exports: [MetricsService],
})
export class MetricsModule {}
