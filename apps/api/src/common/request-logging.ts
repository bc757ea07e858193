import type { AppLogger } from './logging/app-logger';
import type { ApiRequest, ApiResponse } from './http-types';

/** One JSON line per request once the response is finished (or the client went away). */
export function requestLoggingMiddleware(logger: AppLogger) {
  return (req: ApiRequest, res: ApiResponse, next: () => void): void => {
    const started = process.hrtime.bigint();
    const requestId = req.requestId;
    let logged = false;
    const log = (aborted: boolean) => {
      if (logged) return;
      logged = true;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const path = (req.originalUrl ?? req.url ?? '').split('?')[0];
      const line = { request_id: requestId, method: req.method, path, status: res.statusCode, duration_ms: Math.round(ms * 10) / 10, principal: req.principal, aborted: aborted || undefined };
      if (path.startsWith('/health') || path === '/metrics') logger.debug(line, 'request');
      else if (res.statusCode >= 500) logger.error(line, 'request');
      else logger.info(line, 'request');
    };
    res.on('finish', () => log(false));
    res.on('close', () => log(!res.writableFinished));
    next();
  };
}
