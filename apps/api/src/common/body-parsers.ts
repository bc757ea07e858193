import { createRequire } from 'node:module';
import type { ApiRequest, ApiResponse } from './http-types';

type Middleware = (req: ApiRequest, res: ApiResponse, next: (err?: unknown) => void) => void;
interface ExpressParsers {
  json(options: { limit: string | number }): Middleware;
  urlencoded(options: { limit: string | number; extended: boolean }): Middleware;
}

/** Express comes with @nestjs/platform-express; resolve it from there rather than hoisting luck. */
const express = createRequire(require.resolve('@nestjs/platform-express/package.json'))('express') as ExpressParsers;

/** Output chunks may hold 1 MiB of text, which JSON escaping can grow well past BODY_LIMIT. */
export const OUTPUT_BODY_LIMIT = '8mb';
const OUTPUT_ROUTE = /^\/v1\/(agent|opencode)\/tasks\/[^/]+\/output\/?$/;
/** A session sync may carry up to 200 sessions x 200 messages of text (SESSION_SYNC_LIMITS). */
const SESSION_SYNC_ROUTE = /^\/v1\/(agent|opencode)\/codebases\/[^/]+\/sessions\/sync\/?$/;

/** JSON (and form) bodies up to `bodyLimit`; the output and session sync callbacks get OUTPUT_BODY_LIMIT. */
export function bodyParsers(bodyLimit: string): Middleware[] {
  const outputJson = express.json({ limit: OUTPUT_BODY_LIMIT });
  const json = express.json({ limit: bodyLimit });
  const form = express.urlencoded({ limit: bodyLimit, extended: false });
  const pickJson: Middleware = (req, res, next) => {
    const path = (req.originalUrl ?? req.url ?? '').split('?')[0];
    return (req.method === 'POST' && (OUTPUT_ROUTE.test(path) || SESSION_SYNC_ROUTE.test(path)) ? outputJson : json)(req, res, next);
  };
  return [pickJson, form];
}
