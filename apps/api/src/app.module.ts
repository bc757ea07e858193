import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { AuthModule } from './auth/auth.module';
import { CodebasesModule } from './codebases/codebases.module';
import type { ApiConfig } from './config/api-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { EmailModule } from './email/email.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { MonitorModule } from './monitor/monitor.module';
import { OutputModule } from './output/output.module';
import { QueueModule } from './queue/queue.module';
import { QueueBoardModule } from './queue-board/queue-board.module';
import { SessionsModule } from './sessions/sessions.module';
import { TaskEventsModule } from './tasks/task-events';
import { TasksModule } from './tasks/tasks.module';
import { WorkersModule } from './workers/workers.module';
import { WorkerStreamModule } from './worker-stream/worker-stream.module';

@Module({})
export class AppModule {
  static forRoot(config: ApiConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(config),
        QueueModule,
        MetricsModule,
        TaskEventsModule,
        // Rate limit first (it also slows down token guessing), then authentication.
        ThrottlerModule.forRoot({
          throttlers: [{ name: 'default', ttl: 60_000, limit: Math.max(config.rateLimitPerMinute, 1) }],
          skipIf: () => config.rateLimitPerMinute === 0,
        }),
        AuthModule,
        WorkersModule,
        WorkerStreamModule,
        CodebasesModule,
        TasksModule,
        OutputModule,
        SessionsModule,
        EmailModule,
        MonitorModule,
        HealthModule,
        QueueBoardModule,
      ],
      providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
    };
  }
}
