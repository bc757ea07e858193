import type { NestExpressApplication } from '@nestjs/platform-express';
import { TokenLookup } from '../auth/token-lookup';
import type { ApiConfig } from '../config/api-config';
import { ClientRateLimit, sendTooManyRequests } from '../common/client-rate-limit';
import type { ApiRequest, ApiResponse } from '../common/http-types';
import { queueBoardAuth } from './board-auth';
import { QUEUE_BOARD_PATH, QueueBoard } from './queue-board.service';

type Next = (err?: unknown) => void;

/** Requests that show the queue list: the UI pages and the list the UI polls (not assets, not job actions). */
const LISTS_QUEUES = /^\/(api\/queues\/?|queue\/[^/]+(\/[^/]+)?\/?)?$/;

/**
 * Serves Bull Board at /admin/queues when QUEUE_BOARD_ENABLED: rate limited per client like
 * the rest of the API (the Nest throttler does not see plain Express routes), admin only,
 * and with the queue list rebuilt before a page or the list is served.
 */
export function mountQueueBoard(app: NestExpressApplication, config: ApiConfig): void {
  if (!config.queueBoardEnabled) return;
  const board = app.get(QueueBoard);
  const limit = new ClientRateLimit(config.rateLimitPerMinute);
  const rateLimited = (req: ApiRequest, res: ApiResponse, next: Next): void => {
    const decision = limit.hit(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    if (decision.allowed) return next();
    sendTooManyRequests(res, decision, 'requests');
  };
  const refreshed = (req: ApiRequest, _res: ApiResponse, next: Next): void => {
    if (req.method !== 'GET' || !LISTS_QUEUES.test((req.url ?? '').split('?')[0])) return next();
    // A failed rebuild (database down) is logged by the board; the last list is still worth showing.
    board.refresh().then(
      () => next(),
      () => next(),
    );
  };
  app.use(QUEUE_BOARD_PATH, rateLimited, queueBoardAuth(config, app.get(TokenLookup)), refreshed, board.router());
}
