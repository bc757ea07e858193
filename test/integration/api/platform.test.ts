import { startTestApi, type TestApi, WORKER_TOKEN } from '../../support/api-harness';

/** Cross-cutting behaviour: auth, the error shape, health, docs, metrics, both prefixes. */
describe('API platform', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api?.close());

  describe('authentication', () => {
    it('answers 401 in the error shape without a token', async () => {
      const res = await api.anonymous().get('/v1/agent/tasks');
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.stringMatching(/Missing bearer token/) });
    });

    it('answers 403 with a wrong token', async () => {
      const res = await api.anonymous().get('/v1/agent/tasks').set('Authorization', 'Bearer not-a-real-token-at-all');
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ statusCode: 403, error: 'Forbidden', message: 'Invalid bearer token' });
    });

    it('answers 401 for another scheme and accepts any configured token', async () => {
      expect((await api.anonymous().get('/v1/agent/workers').set('Authorization', `Basic ${WORKER_TOKEN}`)).status).toBe(401);
      expect((await api.anonymous().get('/v1/agent/workers').set('Authorization', `Bearer ${WORKER_TOKEN}`)).status).toBe(200);
    });

    it('protects every prefix, the monitor and write routes alike', async () => {
      for (const [method, path] of [
        ['get', '/v1/opencode/workers'],
        ['get', '/v1/monitor/workers'],
        ['post', '/v1/agent/workers/register'],
        ['put', '/v1/agent/tasks/task_x/status'],
        ['post', '/v1/agent/tasks/task_x/output'],
      ] as const) {
        expect([method, path, (await api.anonymous()[method](path)).status]).toEqual([method, path, 401]);
      }
    });

    it('leaves health, docs, metrics and the status check public', async () => {
      for (const path of ['/health', '/health/live', '/health/ready', '/docs-json', '/metrics', '/v1/agent/status', '/v1/opencode/status']) {
        expect([path, (await api.anonymous().get(path)).status]).toEqual([path, 200]);
      }
      expect((await api.anonymous().get('/docs')).status).toBeLessThan(400);
    });
  });

  describe('error shape', () => {
    it('answers unknown routes with 404 in the error shape', async () => {
      const res = await api.get('/v1/agent/nothing-here');
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found', message: expect.any(String) });
    });

    it('answers malformed JSON with 400', async () => {
      const res = await api.post('/v1/agent/workers/register').set('Content-Type', 'application/json').send('{"worker_id": "w1",');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
    });

    it('names unknown and invalid fields in message and details', async () => {
      const res = await api.post('/v1/agent/workers/register', { worker_id: 'bad id!', name: 'x', colour: 'blue' });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/property colour should not exist/);
      expect(res.body.message).toMatch(/worker_id must be/);
      expect(res.body.details).toEqual(
        expect.arrayContaining([
          { field: 'colour', problems: ['property colour should not exist'] },
          expect.objectContaining({ field: 'worker_id' }),
        ]),
      );
    });

    it('names nested fields', async () => {
      const res = await api.post('/v1/agent/workers/register', { worker_id: 'w-nested', name: 'x', agents: [{ version: '1' }] });
      expect(res.status).toBe(400);
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'agents.0.name' })]));
    });

    it('refuses bodies over BODY_LIMIT with 413', async () => {
      const res = await api.post('/v1/agent/workers/register', { worker_id: 'w-big', name: 'x'.repeat(2 * 1024 * 1024) });
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
    });
  });

  describe('correlation id', () => {
    it('echoes X-Request-Id, or issues one', async () => {
      const given = await api.get('/v1/agent/workers').set('X-Request-Id', 'req-abc-123');
      expect(given.headers['x-request-id']).toBe('req-abc-123');
      const issued = await api.get('/v1/agent/workers');
      expect(issued.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('health', () => {
    it('reports PostgreSQL and Redis up', async () => {
      const res = await api.anonymous().get('/health/ready').expect(200);
      expect(res.body).toMatchObject({ status: 'ok', details: { postgres: { status: 'up' }, redis: { status: 'up' } } });
      expect((await api.anonymous().get('/health/live').expect(200)).body).toEqual({ status: 'ok' });
    });
  });

  describe('docs', () => {
    it('documents every route under both prefixes, with bearer auth and the error shape', async () => {
      const doc = (await api.anonymous().get('/docs-json').expect(200)).body;
      const paths = Object.keys(doc.paths);
      for (const prefix of ['/v1/agent', '/v1/opencode']) {
        for (const p of [
          '/workers/register',
          '/workers/{id}/heartbeat',
          '/workers/{id}/unregister',
          '/workers',
          '/workers/{id}',
          '/codebases',
          '/codebases/{id}',
          '/codebases/{id}/tasks',
          '/tasks',
          '/tasks/{id}',
          '/tasks/{id}/cancel',
          '/tasks/{id}/requeue',
          '/tasks/{id}/status',
          '/tasks/{id}/output',
          '/tasks/{id}/output/stream',
        ]) {
          expect(paths).toContain(`${prefix}${p}`);
        }
      }
      expect(paths).toEqual(expect.arrayContaining(['/v1/monitor/workers', '/health', '/health/live', '/health/ready', '/metrics']));
      expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
      const create = doc.paths['/v1/agent/tasks'].post;
      expect(create.summary).toBeTruthy();
      expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '404', '409', '422']));
      expect(doc.components.schemas.ErrorBodyDto).toBeDefined();
      const publicPaths = ['/health', '/health/live', '/health/ready', '/metrics', '/v1/agent/status', '/v1/opencode/status'];
      for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { summary?: string; responses: Record<string, unknown>; security?: unknown[] }>>)) {
        for (const [method, op] of Object.entries(item)) {
          expect([method, path, Boolean(op.summary)]).toEqual([method, path, true]);
          if (!publicPaths.includes(path)) {
            expect([method, path, Object.keys(op.responses)]).toEqual([method, path, expect.arrayContaining(['401', '403'])]);
          }
        }
      }
      expect(doc.components.schemas.CreateTaskDto.properties.priority).toMatchObject({ minimum: 0, maximum: 100 });
    });
  });

  describe('metrics', () => {
    it('exposes the codefleet metrics and HTTP latency by route template', async () => {
      await api.get('/v1/agent/tasks/task_doesnotexist').expect(404);
      const text = (await api.anonymous().get('/metrics').expect(200)).text;
      for (const name of [
        'codefleet_tasks_total',
        'codefleet_dispatch_latency_seconds',
        'codefleet_task_duration_seconds',
        'codefleet_queue_depth',
        'codefleet_workers',
        'codefleet_output_bytes_total',
        'http_request_duration_seconds',
        'process_cpu_user_seconds_total',
      ]) {
        expect(text).toContain(name);
      }
      expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/v1\/agent\/tasks\/:id",status_code="404"\}/);
      expect(text).not.toContain('task_doesnotexist');
      expect(text).toMatch(/codefleet_queue_depth\{queue_state="waiting"\}/);
    });
  });
});

describe('API platform with METRICS_PUBLIC=false', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ METRICS_PUBLIC: 'false' });
  });
  afterAll(() => api?.close());

  it('wants a token for /metrics', async () => {
    expect((await api.anonymous().get('/metrics')).status).toBe(401);
    expect((await api.get('/metrics')).status).toBe(200);
  });
});

describe('API platform with a small rate limit', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(() => api?.close());

  it('answers 429 in the error shape past the limit, but never limits worker callbacks or health', async () => {
    // The limit applies per client and route.
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await api.get('/v1/agent/workers')).status);
    expect(codes).toEqual([200, 200, 200, 429]);
    const limited = await api.get('/v1/agent/workers');
    expect(limited.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    expect(limited.headers['retry-after']).toBeDefined();
    expect((await api.get('/v1/agent/codebases')).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      await api.post('/v1/agent/workers/register', { worker_id: 'rl-worker', name: 'rl' }).expect(200);
      await api.post('/v1/agent/workers/rl-worker/heartbeat', {}).expect(200);
      await api.put('/v1/agent/tasks/task_nope/status', { worker_id: 'rl-worker', attempt: 0, status: 'running' }).expect(404);
      await api.anonymous().get('/health/ready').expect(200);
    }
  });
});
