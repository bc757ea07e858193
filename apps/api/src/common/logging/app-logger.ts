import type { LoggerService } from '@nestjs/common';
import pino from 'pino';
import type { LogLevel } from '../../config/api-config';
import { currentRequestId } from '../request-context';

export type AppLogger = pino.Logger;

/** JSON lines on stdout; every line written inside a request carries its `request_id`. */
export function createAppLogger(level: LogLevel, destination?: pino.DestinationStream): AppLogger {
  return pino(
    {
      level,
      base: { service: 'codefleet-api' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin() {
        const requestId = currentRequestId();
        return requestId ? { request_id: requestId } : {};
      },
    },
    destination,
  );
}

/** Nest's boot chatter (one line per module and route) is debug, not info. */
const NOISY_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/** Routes Nest's own `Logger` calls (and ours through it) into pino. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: AppLogger) {}

  log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    this.write(typeof context === 'string' && NOISY_CONTEXTS.has(context) ? 'debug' : 'info', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    // Nest passes (message, stack, context); a caught Error may also come as the message.
    const [stackOrContext, context] = rest;
    if (message instanceof Error) {
      this.logger.error({ err: message, context: typeof stackOrContext === 'string' ? stackOrContext : undefined }, message.message);
      return;
    }
    const stack = typeof stackOrContext === 'string' && rest.length > 1 ? stackOrContext : undefined;
    const ctx = typeof context === 'string' ? context : rest.length === 1 && typeof stackOrContext === 'string' ? stackOrContext : undefined;
    this.emit('error', message, { context: ctx, stack });
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: pino.Level, message: unknown, rest: unknown[]): void {
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    this.emit(level, message, { context });
  }

  private emit(level: pino.Level, message: unknown, extra: { context?: string; stack?: string }): void {
    const fields: Record<string, unknown> = {};
    if (extra.context) fields.context = extra.context;
    if (extra.stack) fields.stack = extra.stack;
    if (message !== null && typeof message === 'object' && !(message instanceof Error)) {
      const { msg, ...rest } = message as Record<string, unknown>;
      this.logger[level]({ ...fields, ...rest }, typeof msg === 'string' ? msg : undefined);
    } else {
      this.logger[level](fields, String(message));
    }
  }
}
