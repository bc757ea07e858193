import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { parseCliArgs, USAGE } from './config/cli-args';
import { CONFIG_ERROR_EXIT_CODE, ConfigError } from './config/config-error';
import { type LoadedConfig, loadWorkerConfig } from './config/config-loader';
import { prepareStateDir } from './config/state-dir';
import { WorkerDaemon } from './lifecycle/worker-daemon';
import { createLogger, PinoNestLogger } from './logging/logger';
import { WorkerModule } from './worker.module';

const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

function loadConfigOrExit(): LoadedConfig {
  try {
    const cli = parseCliArgs(process.argv.slice(2));
    if (cli.help) {
      process.stdout.write(USAGE);
      process.exit(0);
    }
    const loaded = loadWorkerConfig({ cli, env: process.env });
    prepareStateDir(loaded.config.stateDir);
    return loaded;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`codefleet-worker: configuration error: ${err.message}\n`);
      process.exit(CONFIG_ERROR_EXIT_CODE);
    }
    throw err;
  }
}

async function bootstrap(): Promise<void> {
  const { config, warnings } = loadConfigOrExit();
  const logger = createLogger(config.logLevel, { worker_id: config.workerId });
  for (const w of warnings) logger.warn(w);
  logger.info({ server_url: config.serverUrl, worker_name: config.workerName, config_file: config.configFile, max_concurrent: config.maxConcurrent }, 'starting worker');

  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, { logger }), { logger: new PinoNestLogger(logger) });
  const daemon = app.get(WorkerDaemon);

  // First SIGTERM/SIGINT: Nest runs the graceful drain (WorkerDaemon.beforeApplicationShutdown)
  // and exits 0. A second one kills every agent process group at once and exits.
  app.enableShutdownHooks([...SHUTDOWN_SIGNALS], { useProcessExit: true });
  let signals = 0;
  for (const sig of SHUTDOWN_SIGNALS) {
    process.on(sig, () => {
      if (++signals < 2) return;
      daemon.killAgentsNow();
      logger.warn({ signal: sig }, 'exiting without waiting for tasks');
      process.exit(1);
    });
  }
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));

  await daemon.start();
}

bootstrap().catch((err: unknown) => {
  process.stderr.write(`codefleet-worker: fatal: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
