import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type { WorkerConfig } from '../config/worker-config';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { HttpTransport } from '../control-plane/http-transport';
import type { Logger } from 'pino';
import { type Clock, systemClock } from '../system/clock';
import { CodebaseDirectory } from '../tasks/codebase-directory';
import { TaskStreamClient } from './task-stream-client';

/** A real HTTP server scripted per connection: the n-th request to the stream gets handlers[n]. */
async function scriptedServer(handlers: ((res: ServerResponse) => void)[]) {
  const requests: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.headers);
    (handlers[requests.length - 1] ?? ((r: ServerResponse) => r.writeHead(200, { 'content-type': 'text/event-stream' })))(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { requests, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

const sse = (res: ServerResponse, body: string, end = false) => {
  if (!res.headersSent) res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(body);
  if (end) res.end();
};
const json404 = (body: object) => (res: ServerResponse) => res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify(body));

function clientFor(url: string, codebases: CodebaseDirectory = new CodebaseDirectory(), clock: Clock = systemClock, logger: Logger = pino({ level: 'silent' })) {
  const config = { workerId: 'w1', capabilities: ['opencode', 'build'] } as WorkerConfig;
  const http = new HttpTransport({ baseUrl: url, token: 'tok', timeoutMs: 2000, userAgent: 'test' }, systemClock, logger);
  return new TaskStreamClient(config, logger, clock, new ControlPlaneClient(http), codebases);
}

/** Records the reconnect delays asked for, and waits none of them. */
function recordingClock() {
  const sleeps: number[] = [];
  const clock: Clock = { now: () => Date.now(), sleep: (ms, signal) => (sleeps.push(ms), systemClock.sleep(0, signal)) };
  return { clock, sleeps };
}

function capturedLogs() {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

const until = async (check: () => boolean, what: string) => {
  const end = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('TaskStreamClient', () => {
  it('sends the documented headers, reports task_available events, and reconnects after the server closes', async () => {
    const server = await scriptedServer([
      (res) => sse(res, 'retry: 20\n\n: keep-alive\n\nevent: task_available\ndata: {"task_id":"t1"}\n\n', true),
      (res) => sse(res, 'event: other\ndata: x\n\nevent: task_available\ndata: {"task_id":\ndata: "t2"}\n\n'),
    ]);
    const codebases = new CodebaseDirectory();
    codebases.add({ id: 'cb1', name: 'a', path: '/a' });
    codebases.add({ id: 'cb2', name: 'b', path: '/b' });
    const client = clientFor(server.url, codebases);
    let announced = 0;
    client.start(() => announced++);
    try {
      await until(() => announced === 2, 'two announcements over two connections');
      expect(server.requests).toHaveLength(2);
      expect(server.requests[0]).toMatchObject({
        worker_id: 'w1',
        'x-worker-id': 'w1',
        'x-codebases': 'cb1,cb2',
        'x-capabilities': 'opencode,build',
        authorization: 'Bearer tok',
        accept: 'text/event-stream',
      });
    } finally {
      await client.stop();
      await server.close();
    }
    expect(client.running).toBe(false);
  });

  it('reconnects at once with the new X-Codebases when the codebases change', async () => {
    const server = await scriptedServer([]);
    const codebases = new CodebaseDirectory();
    const client = clientFor(server.url, codebases);
    client.start(() => undefined);
    try {
      await until(() => server.requests.length === 1, 'the first connection');
      codebases.add({ id: 'cb-new', name: 'n', path: '/n' });
      client.restart();
      await until(() => server.requests.length === 2, 'the reconnection');
      expect(server.requests.map((h) => h['x-codebases'])).toEqual(['', 'cb-new']);
    } finally {
      await client.stop();
      await server.close();
    }
  });

  it('an API without the route (plain 404): gives up for good; "unknown worker" 404: keeps trying', async () => {
    const old = await scriptedServer([json404({ statusCode: 404, message: 'Cannot GET /v1/worker/tasks/stream' })]);
    const oldClient = clientFor(old.url);
    oldClient.start(() => undefined);
    await until(() => !oldClient.running, 'the client to give up');
    expect(old.requests).toHaveLength(1);
    await old.close();

    const forgot = await scriptedServer([json404({ statusCode: 404, message: 'worker w1 not found', details: { worker_id: 'w1' } }), (res) => sse(res, 'event: task_available\ndata: {}\n\n')]);
    const client = clientFor(forgot.url);
    let announced = 0;
    client.start(() => announced++);
    try {
      await until(() => announced === 1, 'the retry to get through');
      expect(forgot.requests).toHaveLength(2);
    } finally {
      await client.stop();
      await forgot.close();
    }
  });

  it('a 200 that is not an event stream (a proxy page) is a failure: the backoff grows and only the first is a warning', async () => {
    const page = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy</html>');
    const server = await scriptedServer(Array.from({ length: 50 }, () => page));
    const { clock, sleeps } = recordingClock();
    const { logger, lines } = capturedLogs();
    const client = clientFor(server.url, new CodebaseDirectory(), clock, logger);
    client.start(() => undefined);
    try {
      await until(() => sleeps.length >= 7, 'seven reconnect attempts');
    } finally {
      await client.stop();
      await server.close();
    }
    // Delays of 2, 4, 8, 16, 30, 30 s (each jittered to between half and all of it).
    expect(sleeps[0]).toBeLessThanOrEqual(2000);
    expect(sleeps[4]).toBeGreaterThanOrEqual(15_000);
    expect(sleeps[6]).toBeGreaterThanOrEqual(15_000);
    const failures = lines.filter((l) => l.msg.startsWith('task stream unavailable'));
    expect(failures[0]).toMatchObject({ level: 40 });
    expect(failures.slice(1).every((l) => l.level === 20)).toBe(true);
    expect(lines.some((l) => l.msg === 'task stream reconnected')).toBe(false);
  });

  it('an event stream that closes before any event or keep-alive backs off too; one that spoke resets the delay', async () => {
    const silent = (res: ServerResponse) => sse(res, 'retry: 1000\n\n', true);
    const spoke = (res: ServerResponse) => sse(res, ': keep-alive\n\n', true);
    const server = await scriptedServer([silent, silent, silent, silent, spoke, spoke]);
    const { clock, sleeps } = recordingClock();
    const client = clientFor(server.url, new CodebaseDirectory(), clock);
    client.start(() => undefined);
    try {
      await until(() => sleeps.length >= 6, 'six reconnects');
    } finally {
      await client.stop();
      await server.close();
    }
    expect(sleeps[3]).toBeGreaterThanOrEqual(8000); // 16 s, jittered
    expect(sleeps[4]).toBeLessThanOrEqual(1000); // after a keep-alive: back to the server's retry hint
    expect(sleeps[5]).toBeLessThanOrEqual(1000);
  });
});
