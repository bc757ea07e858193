import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { systemClock } from '../system/clock';
import { HttpTransport, NetworkError } from './http-transport';

const silent = pino({ level: 'silent' });

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('HttpTransport over keep-alive connections', () => {
  let server: Server;
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('sends consecutive callbacks over one connection', async () => {
    let connections = 0;
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ got: JSON.parse(raw) }));
      });
    });
    server.on('connection', () => connections++);
    const http = new HttpTransport({ baseUrl: await listen(server), token: 't', timeoutMs: 2000, userAgent: 'test' }, systemClock, silent);
    for (let i = 0; i < 3; i++) expect(await http.request('PUT', '/v1/agent/tasks/t1/status', { body: { i } })).toEqual({ got: { i } });
    expect(connections).toBe(1);
  });

  it('reports a server that never answers as timed out', async () => {
    server = createServer(() => undefined);
    const http = new HttpTransport({ baseUrl: await listen(server), token: null, timeoutMs: 200, userAgent: 'test' }, systemClock, silent);
    const err = await http.request('GET', '/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as Error).message).toBe('GET /x: timed out');
  });

  it('reports a refused connection with its code', async () => {
    server = createServer();
    const url = await listen(server);
    await new Promise((r) => server.close(r));
    const http = new HttpTransport({ baseUrl: url, token: null, timeoutMs: 2000, userAgent: 'test' }, systemClock, silent);
    await expect(http.request('GET', '/x')).rejects.toThrow(/GET \/x: .*ECONNREFUSED/);
    server = createServer();
    await listen(server); // afterEach closes a listening server
  });
});
