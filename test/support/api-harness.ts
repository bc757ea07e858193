import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { type ApiConfig, loadApiConfig } from '../../apps/api/src/config/api-config';
import { createAppLogger } from '../../apps/api/src/common/logging/app-logger';
import { createTestDatabase, type TestDatabase, TEST_REDIS_URL } from './test-database';
import { deleteKeysWithPrefix, newQueuePrefix } from './test-redis';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const WORKER_TOKEN = 'test-worker-token-0123456789abcdef';

export interface TestApi {
  app: NestExpressApplication;
  config: ApiConfig;
  db: TestDatabase;
  /** http://127.0.0.1:<port> of the listening app (for SSE and raw HTTP). */
  baseUrl: string;
  /** supertest against the app, authenticated as admin. */
  get(path: string): request.Test;
  post(path: string, body?: object): request.Test;
  put(path: string, body?: object): request.Test;
  delete(path: string): request.Test;
  /** supertest without any token. */
  anonymous(): ReturnType<typeof request>;
  close(): Promise<void>;
}

/** A second replica joins the first one's database and Redis namespace (the first one cleans up). */
export interface SharedInfra {
  db?: TestDatabase;
  queuePrefix?: string;
}

/**
 * The real AppModule through createApiApp, on a fresh database and its own Redis prefix,
 * listening on an ephemeral port. `env` overrides the environment the config is read from.
 */
export async function startTestApi(env: Record<string, string> = {}, shared: SharedInfra = {}): Promise<TestApi> {
  const ownsDb = !shared.db;
  const db = shared.db ?? (await createTestDatabase());
  const queuePrefix = shared.queuePrefix ?? newQueuePrefix();
  const config = loadApiConfig({
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    A2A_AUTH_TOKENS: `admin:${ADMIN_TOKEN},worker:${WORKER_TOKEN}`,
    QUEUE_PREFIX: queuePrefix,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    RATE_LIMIT_PER_MINUTE: '0',
    ...env,
  });
  let app: NestExpressApplication;
  try {
    app = await createApiApp(config, { logger: createAppLogger(config.logLevel) });
  } catch (err) {
    if (ownsDb) await db.drop();
    throw err;
  }
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const server = app.getHttpServer();
  let closed = false;
  return {
    app,
    config,
    db,
    baseUrl: `http://127.0.0.1:${port}`,
    ...authenticatedCalls(server, ADMIN_TOKEN),
    anonymous: () => request(server),
    close: async () => {
      if (closed) return;
      closed = true;
      await app.close();
      if (ownsDb) {
        await db.drop();
        await deleteKeysWithPrefix(queuePrefix);
      }
    },
  };
}

type HttpServer = ReturnType<NestExpressApplication['getHttpServer']>;

function authenticatedCalls(server: HttpServer, token: string): Pick<TestApi, 'get' | 'post' | 'put' | 'delete'> {
  const auth = (t: request.Test) => t.set('Authorization', `Bearer ${token}`);
  return {
    get: (path) => auth(request(server).get(path)),
    post: (path, body) => auth(request(server).post(path)).send(body ?? {}),
    put: (path, body) => auth(request(server).put(path)).send(body ?? {}),
    delete: (path) => auth(request(server).delete(path)),
  };
}

/** The same app, but every call carries `token` (e.g. to speak as a client or a scoped worker). */
export function withToken(api: TestApi, token: string): TestApi {
  return { ...api, ...authenticatedCalls(api.app.getHttpServer(), token) };
}

/** Polls until `check` returns a truthy value, or fails with `what` after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 10_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
