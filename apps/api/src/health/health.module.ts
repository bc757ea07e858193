import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ApiStatusController } from './api-status.controller';
import { HealthController } from './health.controller';
import { PostgresHealthIndicator } from './postgres.health';
import { RedisHealthIndicator } from './redis.health';

@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController, ApiStatusController],
  providers: [PostgresHealthIndicator, RedisHealthIndicator],
})
export class HealthModule {}
