import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { bodyParsers } from './common/body-parsers';
import { correlationIdMiddleware } from './common/correlation-id';
import { type AppLogger, createAppLogger, PinoNestLogger } from './common/logging/app-logger';
import { requestLoggingMiddleware } from './common/request-logging';
import { createValidationPipe } from './common/validation';
import { type ApiConfig, configWarnings } from './config/api-config';
import { runMigrationsLocked } from './database/run-migrations';
import { httpMetricsMiddleware } from './metrics/http-metrics.middleware';
import { MetricsService } from './metrics/metrics.service';
import { mountQueueBoard } from './queue-board/mount-queue-board';
import { setupSwagger } from './swagger';

export interface ApiAppOptions {
  logger?: AppLogger;
}

/**
 * Builds the whole API (used by main.ts and by the integration tests): migrations under an
 * advisory lock, middleware, validation, the error filter, Swagger and shutdown hooks. The app is
 * initialized (background services started) but not listening.
 */
export async function createApiApp(config: ApiConfig, options: ApiAppOptions = {}): Promise<NestExpressApplication> {
  const logger = options.logger ?? createAppLogger(config.logLevel);
  for (const warning of configWarnings(config)) logger.warn(warning);

  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  try {
    await runMigrationsLocked(app.get(DataSource), { log: (message) => logger.info(message) });

    app.disable('x-powered-by');
    app.set('trust proxy', config.trustProxy); // TRUST_PROXY: req.ip is the client behind a load balancer
    app.use(correlationIdMiddleware);
    app.use(requestLoggingMiddleware(logger));
    app.use(httpMetricsMiddleware(app.get(MetricsService)));
    mountQueueBoard(app, config); // before the body parsers: refused requests are not parsed
    for (const parser of bodyParsers(config.bodyLimit)) app.use(parser);
    app.useGlobalPipes(createValidationPipe());
    app.useGlobalFilters(new ApiExceptionFilter());
    app.enableShutdownHooks();
    setupSwagger(app);
    await app.init();
    return app;
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
}
