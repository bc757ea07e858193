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

/** JSON (and form) bodies up to `bodyLimit`; the output callback route gets OUTPUT_BODY_LIMIT. */
export function bodyParsers(bodyLimit: string): Middleware[] {
  const outputJson = express.json({ limit: OUTPUT_BODY_LIMIT });
  const json = express.json({ limit: bodyLimit });
  const form = express.urlencoded({ limit: bodyLimit, extended: false });
  const pickJson: Middleware = (req, res, next) => {
    const path = (req.originalUrl ?? req.url ?? '').split('?')[0];
    return (req.method === 'POST' && OUTPUT_ROUTE.test(path) ? outputJson : json)(req, res, next);
  };
  return [pickJson, form];
}
