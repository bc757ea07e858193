import { HttpException } from '@nestjs/common';
import type { ErrorBody } from '#contracts';

/** Throws the one error shape with a message that tells the caller what to fix. */
export function apiError(statusCode: number, message: string, details?: unknown): HttpException {
  return new HttpException(details === undefined ? { message } : { message, details }, statusCode);
}

export const notFound = (what: string, id: string): HttpException => apiError(404, `${what} ${id} not found`);
export const conflict = (message: string, details?: unknown): HttpException => apiError(409, message, details);

export type { ErrorBody };
