import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ApiRequest, ApiResponse } from './http-types';
import { requestContext, requestIdFrom } from './request-context';

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * First middleware: adopts the caller's X-Request-Id (or issues one), echoes it on the response
 * and runs the rest of the request inside a context that logs and new tasks read it from.
 */
export function correlationIdMiddleware(req: ApiRequest, res: ApiResponse, next: () => void): void {
  const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
  req.requestId = requestId;
  res.setHeader('X-Request-Id', requestId);
  requestContext.run({ requestId }, next);
}

/** The request's correlation id, for the task row and its job. */
export const CorrelationId = createParamDecorator((_: unknown, ctx: ExecutionContext): string | null => {
  return ctx.switchToHttp().getRequest<ApiRequest>().requestId ?? null;
});
