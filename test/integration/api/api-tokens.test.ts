import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { ADMIN_TOKEN, eventually, startTestApi, type TestApi, withToken } from '../../support/api-harness';
import { FakeWorker } from '../../support/fake-worker';

/** Tokens kept in PostgreSQL and managed through /v1/admin/tokens (DESIGN 2 and 10). */
const ENV_CLIENT_TOKEN = 'env-client-token-0123456789abcdef';
const ENV_TOKENS = `admin:${ADMIN_TOKEN},ci-env@client:${ENV_CLIENT_TOKEN}`;
/** Small, so the other replica's cache window passes quickly. */
const CACHE_MS = '300';

interface Issued {
  id: string;
  name: string;
  scope: string;
  worker_id: string | null;
  token: string;
  token_prefix: string;
  created_at: string;
  expires_at: string | null;
}

interface Listed {
  id: string;
  name: string;
  token_prefix: string;
  created_by: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

describe('API tokens in PostgreSQL', () => {
  let a: TestApi;
  let b: TestApi;
  let pg: Client;

  beforeAll(async () => {
    a = await startTestApi({ A2A_AUTH_TOKENS: ENV_TOKENS, AUTH_TOKEN_CACHE_MS: CACHE_MS });
    b = await startTestApi({ A2A_AUTH_TOKENS: ENV_TOKENS, AUTH_TOKEN_CACHE_MS: CACHE_MS }, { db: a.db, queuePrefix: a.config.queuePrefix });
    pg = new Client({ connectionString: a.db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await pg?.end();
    await b?.close();
    await a?.close();
  });

  const issue = async (body: object): Promise<Issued> => (await a.post('/v1/admin/tokens', body).expect(201)).body as Issued;
  const listed = async (query = ''): Promise<Listed[]> => (await a.get(`/v1/admin/tokens${query}`).expect(200)).body.tokens as Listed[];

  it('issues a client token that works on client routes and is refused on admin routes', async () => {
    const res = await a.post('/v1/admin/tokens', { name: 'ci', scope: 'client' }).expect(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const issued = res.body as Issued;
    expect(issued).toMatchObject({ id: expect.stringMatching(/^tok_[a-z2-7]{16}$/), name: 'ci', scope: 'client', worker_id: null, expires_at: null });
    expect(issued.token).toMatch(/^cf_[A-Za-z0-9_-]{43}$/);
    expect(issued.token_prefix).toBe(issued.token.slice(0, 8));
    expect(Date.parse(issued.created_at)).not.toBeNaN();

    const ci = withToken(a, issued.token);
    await ci.get('/v1/agent/workers').expect(200);
    await ci.get('/v1/monitor/workers').expect(200);
    const refused = await ci.get('/v1/admin/tokens').expect(403);
    expect(refused.body).toMatchObject({ message: 'GET /v1/admin/tokens needs a token with scope admin; this token has scope client' });
    expect(refused.body.details).toMatchObject({ required_scopes: ['admin'], token_scope: 'client' });
    // The request log's principal names it the way A2A_AUTH_TOKENS would.
    expect((await listed()).find((t) => t.id === issued.id)).toMatchObject({ name: 'ci', created_by: 'admin@admin' });
  });

  it('a client token cannot issue, list or revoke tokens', async () => {
    const ci = withToken(a, (await issue({ name: 'ci-2', scope: 'client' })).token);
    const attempts = [ci.post('/v1/admin/tokens', { name: 'escalate', scope: 'admin' }), ci.get('/v1/admin/tokens'), ci.delete('/v1/admin/tokens/tok_aaaaaaaaaaaaaaaa')];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect(res.body.details).toMatchObject({ required_scopes: ['admin'], token_scope: 'client' });
    }
    expect((await listed()).map((t) => t.name)).not.toContain('escalate');
  });

  it('a worker token bound to w1, issued before w1 exists, registers w1 and is refused for w2', async () => {
    const issued = await issue({ name: 'box1', scope: 'worker', worker_id: 'w1' });
    expect(issued).toMatchObject({ scope: 'worker', worker_id: 'w1' });
    const asW1 = withToken(a, issued.token);
    await new FakeWorker(asW1, 'w1').register();
    await new FakeWorker(asW1, 'w1').heartbeat([]);
    const other = await asW1.post('/v1/agent/workers/register', { worker_id: 'w2', name: 'w2', hostname: 'w2.test', max_concurrent: 1 }).expect(403);
    expect(other.body.message).toBe('This token is bound to worker "w1": the body\'s worker_id must be "w1" (got "w2")');
    await asW1.post('/v1/agent/tasks', { codebase_id: 'cb_x', title: 't', prompt: 'p' }).expect(403);
    await a.get('/v1/agent/workers/w2').expect(404);
    // The same token works on the other replica too: the table is shared.
    await new FakeWorker(withToken(b, issued.token), 'w1').heartbeat([]);
  });

  it('shows the token once: not in the list, and only its SHA-256 in the database', async () => {
    const issued = await issue({ name: 'secret-keeper', scope: 'admin' });
    const list = await a.get('/v1/admin/tokens').expect(200);
    const entry = (list.body.tokens as Listed[]).find((t) => t.id === issued.id)!;
    expect(Object.keys(entry).sort()).toEqual(['created_at', 'created_by', 'expires_at', 'id', 'last_used_at', 'name', 'revoked_at', 'scope', 'token_prefix', 'worker_id']);
    expect(list.text).not.toContain(issued.token);

    const { rows } = await pg.query(`SELECT * FROM api_tokens WHERE id = $1`, [issued.id]);
    expect(rows[0].token_hash).toBe(createHash('sha256').update(issued.token).digest('hex'));
    expect(rows[0].token_prefix).toBe(issued.token.slice(0, 8));
    // Nowhere else either: every row of every table, as text.
    const tables = (await pg.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).rows.map((r) => r.tablename as string);
    for (const table of tables) {
      const dump = await pg.query(`SELECT row_to_json(t)::text AS row FROM "${table}" t`);
      expect(dump.rows.filter((r) => (r.row as string).includes(issued.token)).map(() => table)).toEqual([]);
    }
  });

  it('a revoked token is refused at once on its replica and on the others once their cache window passes', async () => {
    const issued = await issue({ name: 'to-revoke', scope: 'client' });
    // Both replicas have the token cached as valid.
    await withToken(a, issued.token).get('/v1/agent/workers').expect(200);
    await withToken(b, issued.token).get('/v1/agent/workers').expect(200);

    await a.delete(`/v1/admin/tokens/${issued.id}`).expect(204);
    const onA = await withToken(a, issued.token).get('/v1/agent/workers').expect(403);
    expect(onA.body).toMatchObject({ statusCode: 403, message: 'Invalid bearer token' });
    await eventually(async () => (await withToken(b, issued.token).get('/v1/agent/workers')).status === 403, 'replica b to refuse the revoked token');

    // Idempotent, and the list keeps it only on request.
    await a.delete(`/v1/admin/tokens/${issued.id}`).expect(204);
    expect((await listed()).map((t) => t.id)).not.toContain(issued.id);
    expect((await listed('?include_revoked=true')).find((t) => t.id === issued.id)?.revoked_at).toEqual(expect.any(String));
  });

  it('revoking an unknown token is 404', async () => {
    const res = await a.delete('/v1/admin/tokens/tok_nosuchtoken2345').expect(404);
    expect(res.body.message).toBe('token tok_nosuchtoken2345 not found');
  });

  it('an expired token is refused like an unknown one', async () => {
    const issued = await issue({ name: 'short-lived', scope: 'client', expires_in_s: 3600 });
    expect(Date.parse(issued.expires_at!) - Date.parse(issued.created_at)).toBe(3_600_000);
    const short = withToken(a, issued.token);
    await short.get('/v1/agent/workers').expect(200);
    // An hour passes.
    await pg.query(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [issued.id]);
    const refused = await eventually(async () => {
      const res = await short.get('/v1/agent/workers');
      return res.status === 403 ? res : null;
    }, 'the expired token to be refused');
    expect(refused.body).toMatchObject({ statusCode: 403, message: 'Invalid bearer token' });

    // A token issued for one second ends on its own.
    const second = await issue({ name: 'one-second', scope: 'client', expires_in_s: 1 });
    await eventually(async () => (await withToken(b, second.token).get('/v1/agent/workers')).status === 403, 'the one-second token to expire');
  });

  it('bad bodies are 400 naming the field', async () => {
    const cases: [object, string, RegExp][] = [
      [{ scope: 'client' }, 'name', /name must be 1-64 letters/],
      [{ name: 'has space', scope: 'client' }, 'name', /name must be 1-64 letters/],
      [{ name: 'x' }, 'scope', /scope must be one of admin, client, worker/],
      [{ name: 'x', scope: 'root' }, 'scope', /scope must be one of admin, client, worker/],
      [{ name: 'x', scope: 'worker' }, 'worker_id', /worker_id is required for scope worker/],
      [{ name: 'x', scope: 'worker', worker_id: 'has space' }, 'worker_id', /worker_id is not a valid worker id/],
      [{ name: 'x', scope: 'client', worker_id: 'w1' }, 'worker_id', /worker_id is only for scope worker/],
      [{ name: 'x', scope: 'client', expires_in_s: 0 }, 'expires_in_s', /expires_in_s must be between 1 and/],
      [{ name: 'x', scope: 'client', expires_in_s: 'soon' }, 'expires_in_s', /expires_in_s must be an integer/],
      [{ name: 'x', scope: 'client', token: 'my-own-token' }, 'token', /property token should not exist/],
    ];
    for (const [body, field, message] of cases) {
      const res = await a.post('/v1/admin/tokens', body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field, problems: expect.arrayContaining([expect.stringMatching(message)]) })]));
    }
    const query = await a.get('/v1/admin/tokens?include_revoked=maybe').expect(400);
    expect(query.body.details).toEqual([{ field: 'include_revoked', problems: ['include_revoked must be true or false'] }]);
    expect((await listed()).map((t) => t.name)).not.toContain('x');
  });

  it('a name in use is 409, including the names of A2A_AUTH_TOKENS; a revoked name is free again', async () => {
    const first = await issue({ name: 'deploy-bot', scope: 'client' });
    const dup = await a.post('/v1/admin/tokens', { name: 'deploy-bot', scope: 'admin' }).expect(409);
    expect(dup.body.message).toBe('A token named "deploy-bot" already exists; revoke it first or choose another name');
    const env = await a.post('/v1/admin/tokens', { name: 'ci-env', scope: 'client' }).expect(409);
    expect(env.body.message).toMatch(/configured in A2A_AUTH_TOKENS/);

    await a.delete(`/v1/admin/tokens/${first.id}`).expect(204);
    const again = await issue({ name: 'deploy-bot', scope: 'client' });
    expect(again.id).not.toBe(first.id);
  });

  it('A2A_AUTH_TOKENS tokens keep working as before', async () => {
    await a.get('/v1/admin/tokens').expect(200);
    const envClient = withToken(b, ENV_CLIENT_TOKEN);
    await envClient.get('/v1/agent/workers').expect(200);
    expect((await envClient.post('/v1/admin/tokens', { name: 'nope', scope: 'client' }).expect(403)).body.details).toMatchObject({ token_scope: 'client' });
    await a.anonymous().get('/v1/agent/workers').expect(401);
    await a.anonymous().get('/v1/agent/workers').set('Authorization', 'Bearer cf_not-an-issued-token').expect(403);
  });

  it('records when a token was last used', async () => {
    const issued = await issue({ name: 'used-once', scope: 'client' });
    expect((await listed()).find((t) => t.id === issued.id)?.last_used_at).toBeNull();
    await withToken(b, issued.token).get('/v1/agent/workers').expect(200);
    const lastUsed = await eventually(async () => (await listed()).find((t) => t.id === issued.id)?.last_used_at, 'last_used_at to be set');
    expect(Date.parse(lastUsed)).toBeGreaterThanOrEqual(Date.parse(issued.created_at));
  });

  it('the queue board takes issued admin tokens (bearer or Basic password) and refuses issued client tokens', async () => {
    const admin = await issue({ name: 'board-admin', scope: 'admin' });
    const client = await issue({ name: 'board-client', scope: 'client' });
    const board = () => a.anonymous().get('/admin/queues/api/queues');
    await board().set('Authorization', `Bearer ${admin.token}`).expect(200);
    await board().set('Authorization', `Basic ${Buffer.from(`ops:${admin.token}`).toString('base64')}`).expect(200);
    const refused = await board().set('Authorization', `Bearer ${client.token}`).expect(403);
    expect(refused.body.message).toBe('The queue board needs a token with scope admin; this token has scope client');
    await a.delete(`/v1/admin/tokens/${admin.id}`).expect(204);
    await board().set('Authorization', `Bearer ${admin.token}`).expect(403);
  });

  it('the routes are in the OpenAPI document', async () => {
    const doc = (await a.anonymous().get('/docs-json').expect(200)).body;
    expect(Object.keys(doc.paths['/v1/admin/tokens'].post.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '409']));
    expect(Object.keys(doc.paths['/v1/admin/tokens/{id}'].delete.responses)).toEqual(expect.arrayContaining(['204', '404']));
    expect(doc.components.schemas.CreateApiTokenDto.required).toEqual(expect.arrayContaining(['name', 'scope']));
  });
});
