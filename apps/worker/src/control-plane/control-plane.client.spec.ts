import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { systemClock } from '../system/clock';
import { ControlPlaneClient } from './control-plane.client';
import { HttpTransport, NetworkError } from './http-transport';

type Handler = (req: IncomingMessage, body: any, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ url: string; server: Server; seen: { method: string; url: string; headers: IncomingMessage['headers']; body: any }[] }> {
  const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: any }[] = [];
  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const c of req) raw += c;
    const body = raw ? JSON.parse(raw) : undefined;
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    handler(req, body, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, seen };
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const silent = pino({ level: 'silent' });
const fastClock = { now: () => Date.now(), sleep: () => Promise.resolve() };

describe('ControlPlaneClient over HttpTransport', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it('sends the bearer token, JSON bodies and the correlation id', async () => {
    const srv = await serve((_req, _body, res) => json(res, 200, { task: {}, attempt: 4, output_offset: 10 }));
    servers.push(srv.server);
    const client = new ControlPlaneClient(new HttpTransport({ baseUrl: srv.url, token: 'tok', timeoutMs: 2000, userAgent: 'test' }, fastClock, silent));
    const claim = await client.claim('task/1', 'w1', 3, 'corr-1');
    expect(claim).toEqual({ task: {}, attempt: 4, output_offset: 10 });
    expect(srv.seen[0]).toMatchObject({
      method: 'PUT',
      url: '/v1/agent/tasks/task%2F1/status',
      body: { worker_id: 'w1', attempt: 3, status: 'running' },
      headers: expect.objectContaining({ authorization: 'Bearer tok', 'x-correlation-id': 'corr-1', 'content-type': 'application/json' }),
    });
  });

  it('a 409 claim is null (dropped), other 4xx are errors without retry', async () => {
    let n = 0;
    const srv = await serve((_req, _body, res) => (n++ === 0 ? json(res, 409, { statusCode: 409, message: 'stale attempt 0' }) : json(res, 400, { message: ['attempt must be an integer'] })));
    servers.push(srv.server);
    const client = new ControlPlaneClient(new HttpTransport({ baseUrl: srv.url, token: null, timeoutMs: 2000, userAgent: 'test' }, fastClock, silent));
    expect(await client.claim('t', 'w', 0)).toBeNull();
    await expect(client.updateStatus('t', { worker_id: 'w', attempt: 1, status: 'completed' })).rejects.toThrow(
      'PUT /v1/agent/tasks/t/status -> 400: attempt must be an integer',
    );
    expect(srv.seen).toHaveLength(2);
    expect(srv.seen[0].headers.authorization).toBeUndefined();
  });

  it('retries 5xx for idempotent calls', async () => {
    let n = 0;
    const srv = await serve((_req, _body, res) => (++n < 3 ? json(res, 503, { message: 'starting' }) : json(res, 200, {})));
    servers.push(srv.server);
    const client = new ControlPlaneClient(new HttpTransport({ baseUrl: srv.url, token: null, timeoutMs: 2000, userAgent: 'test' }, fastClock, silent));
    await client.updateStatus('t', { worker_id: 'w', attempt: 1, status: 'completed' });
    expect(n).toBe(3);
  });

  it('a claim whose first try may have landed is confirmed by reading the task back', async () => {
    let puts = 0;
    const srv = await serve((req, _body, res) => {
      if (req.method === 'PUT') {
        // First try: applied, but the answer is lost (connection dropped).
        if (puts++ === 0) return req.socket.destroy();
        return json(res, 409, { message: 'stale attempt 2: the task is at attempt 3' });
      }
      json(res, 200, { id: 't', status: 'running', worker_id: 'w', attempt: 3, output_bytes: 77 });
    });
    servers.push(srv.server);
    const client = new ControlPlaneClient(new HttpTransport({ baseUrl: srv.url, token: null, timeoutMs: 2000, userAgent: 'test' }, fastClock, silent));
    const claim = await client.claim('t', 'w', 2);
    expect(claim).toMatchObject({ attempt: 3, output_offset: 77 });
  });

  it('says once that the server is unreachable and once that it is back', async () => {
    const warn = jest.fn();
    const info = jest.fn();
    const logger = { warn, info, debug: jest.fn() } as unknown as pino.Logger;
    let fail = true;
    const fetchFn = (async () => {
      if (fail) throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
      return new Response('{"ok":true}', { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    const http = new HttpTransport({ baseUrl: 'http://127.0.0.1:9', token: null, timeoutMs: 1000, userAgent: 't' }, systemClock, logger, fetchFn);
    await expect(http.request('GET', '/x')).rejects.toBeInstanceOf(NetworkError);
    await expect(http.request('GET', '/x')).rejects.toThrow('GET /x: fetch failed (ECONNREFUSED)');
    expect(warn).toHaveBeenCalledTimes(1);
    fail = false;
    expect(await http.request('GET', '/x')).toEqual({ ok: true });
    expect(info).toHaveBeenCalledWith(expect.anything(), 'control plane reachable again');
  });

  it('lists come bare or wrapped', async () => {
    const srv = await serve((req, _b, res) => json(res, 200, req.url!.startsWith('/v1/agent/workers') ? [{ id: 'a' }] : { tasks: [{ id: 't' }], next_cursor: null }));
    servers.push(srv.server);
    const client = new ControlPlaneClient(new HttpTransport({ baseUrl: srv.url, token: null, timeoutMs: 2000, userAgent: 'test' }, fastClock, silent));
    expect(await client.listActiveWorkers()).toEqual([{ id: 'a' }]);
    expect(await client.listPendingTasks('w 1')).toEqual([{ id: 't' }]);
    expect(srv.seen[1].url).toBe('/v1/agent/tasks?status=pending&worker_id=w+1');
  });
});
