import 'reflect-metadata';
import { createApiApp } from './bootstrap';
import { ConfigError, loadApiConfig, redactUrl } from './config/api-config';
import { createAppLogger } from './common/logging/app-logger';

async function main(): Promise<void> {
  let config;
  try {
    config = loadApiConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${JSON.stringify({ level: 'fatal', time: new Date().toISOString(), service: 'codefleet-api', msg: err.message, problems: err.problems })}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = createAppLogger(config.logLevel);
  const app = await createApiApp(config, { logger });
  await app.listen(config.port);
  logger.info(
    { port: config.port, redis: redactUrl(config.redisUrl), queue_prefix: config.queuePrefix, auth: config.authDisabled ? 'disabled' : `${config.authTokens.length} token(s)` },
    'codefleet api listening',
  );
}

main().catch((err: Error) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', time: new Date().toISOString(), service: 'codefleet-api', msg: err.message, stack: err.stack })}\n`);
  process.exit(1);
});
