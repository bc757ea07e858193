import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { QueryFailedError } from 'typeorm';
import type { ErrorBody } from '#contracts';
import type { ApiResponse } from './http-types';
import { PG_FOREIGN_KEY_VIOLATION, PG_UNIQUE_VIOLATION, pgErrorCode } from './pg-errors';

/** Input PostgreSQL cannot store or read: NUL in text (`%00` in a path), an impossible date. */
const PG_BAD_INPUT: Record<string, string> = {
  '22021': 'Text must not contain NUL characters',
  '22P05': 'Text must not contain NUL characters',
  '22007': 'Invalid date/time value',
  '22008': 'Date/time value out of range',
  // Safety nets behind the DTO checks: text jsonb cannot hold (a lone surrogate), a number too large for its column.
  '22P02': 'Invalid input: a value has a form the database cannot store (for example a lone UTF-16 surrogate in text)',
  '22003': 'Numeric value out of range',
};

/** One JSON error shape for every failure: `{statusCode, error, message, details?}`. */
export function toErrorBody(exception: unknown): { body: ErrorBody; unexpected: boolean } {
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    const response = exception.getResponse();
    let message = exception.message;
    let details: unknown;
    if (typeof response === 'string') {
      message = response;
    } else if (response && typeof response === 'object') {
      const r = response as { message?: unknown; details?: unknown };
      if (Array.isArray(r.message)) {
        message = r.message.map(String).join('; ');
        details = r.message;
      } else if (typeof r.message === 'string') {
        message = r.message;
      }
      if (r.details !== undefined) details = r.details;
    }
    return { body: withDetails({ statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message }, details), unexpected: false };
  }
  if (exception instanceof QueryFailedError) {
    const code = pgErrorCode(exception);
    if (code === PG_UNIQUE_VIOLATION) {
      return { body: { statusCode: 409, error: STATUS_CODES[409]!, message: 'A record with the same unique key already exists' }, unexpected: false };
    }
    if (code === PG_FOREIGN_KEY_VIOLATION) {
      return { body: { statusCode: 409, error: STATUS_CODES[409]!, message: 'A referenced record does not exist' }, unexpected: false };
    }
    if (code && PG_BAD_INPUT[code]) {
      return { body: { statusCode: 400, error: STATUS_CODES[400]!, message: PG_BAD_INPUT[code] }, unexpected: false };
    }
  }
  return { body: { statusCode: 500, error: STATUS_CODES[500]!, message: 'Internal server error' }, unexpected: true };
}

function withDetails(body: ErrorBody, details: unknown): ErrorBody {
  return details === undefined ? body : { ...body, details };
}

@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<ApiResponse>();
    const { body, unexpected } = toErrorBody(exception);
    if (unexpected) {
      const err = exception instanceof Error ? exception : new Error(String(exception));
      this.logger.error(err.message, err.stack, 'ApiExceptionFilter');
    }
    if (res.headersSent) {
      // An SSE stream or a half-written response: nothing sensible to send, just close it.
      res.end();
      return;
    }
    res.status(body.statusCode).json(body);
  }
}
