import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmailMessage } from './email-message';
import { SendGridError } from './sendgrid-error';
import { SendGridTransport } from './sendgrid-transport';

const API_KEY = 'SG.test-key';

/** Validates a Mail Send v3 request the way SendGrid does; null when it is acceptable. */
function sendGridProblem(req: IncomingMessage, body: string): { status: number; message: string } | null {
  if (req.method !== 'POST' || req.url !== '/v3/mail/send') return { status: 404, message: 'not found' };
  if (req.headers.authorization !== `Bearer ${API_KEY}`) return { status: 401, message: 'authorization required' };
  if (!req.headers['content-type']?.startsWith('application/json')) return { status: 415, message: 'content type' };
  let mail: any;
  try {
    mail = JSON.parse(body);
  } catch {
    return { status: 400, message: 'Bad Request' };
  }
  if (!mail.personalizations?.[0]?.to?.[0]?.email) return { status: 400, message: 'personalizations.0.to required' };
  if (!mail.from?.email) return { status: 400, message: 'from.email required' };
  if (!mail.subject) return { status: 400, message: 'subject required' };
  const types = (mail.content ?? []).map((c: { type: string }) => c.type);
  if (types[0] !== 'text/plain' || (types.length > 1 && types[1] !== 'text/html')) {
    return { status: 400, message: 'text/plain must come first' };
  }
  return null;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

describe('SendGridTransport against a local Mail Send v3 server', () => {
  let server: Server;
  let baseUrl: string;
  let script: Handler[] = [];
  const requests: Array<{ headers: IncomingMessage['headers']; body: any }> = [];

  const accept: Handler = (req, res, body) => {
    const problem = sendGridProblem(req, body);
    if (problem) {
      res.writeHead(problem.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: problem.message, field: null }] }));
      return;
    }
    res.writeHead(202, { 'x-message-id': 'sg-msg-1' });
    res.end();
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        requests.push({ headers: req.headers, body: body ? JSON.parse(body) : null });
        (script.shift() ?? accept)(req, res, body);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    script = [];
    requests.length = 0;
  });

  const message: EmailMessage = {
    from: { email: 'codefleet@mail.example.com', name: 'Codefleet' },
    to: [{ email: 'alice@example.com' }],
    replyTo: { email: 'task+sabc.aaaaaaaaaaaaaaaa@inbound.example.com' },
    subject: 'Task completed: add tests',
    text: 'plain',
    html: '<p>html</p>',
    messageId: '<task.t1@mail.example.com>',
    references: ['<task.t0@mail.example.com>'],
    inReplyTo: '<task.t0@mail.example.com>',
  };
  const transport = (extra: Partial<ConstructorParameters<typeof SendGridTransport>[0]> = {}) =>
    new SendGridTransport({ apiKey: API_KEY, baseUrl, retryBaseDelayMs: 10, ...extra });

  it('sends a request SendGrid accepts and keeps X-Message-Id', async () => {
    const result = await transport().send(message);
    expect(result).toEqual({ provider: 'sendgrid', messageId: '<task.t1@mail.example.com>', providerMessageId: 'sg-msg-1' });
    const body = requests[0].body;
    expect(body.personalizations[0].to).toEqual([{ email: 'alice@example.com' }]);
    expect(body.from).toEqual({ email: 'codefleet@mail.example.com', name: 'Codefleet' });
    expect(body.reply_to).toEqual({ email: 'task+sabc.aaaaaaaaaaaaaaaa@inbound.example.com' });
    expect(body.content).toEqual([
      { type: 'text/plain', value: 'plain' },
      { type: 'text/html', value: '<p>html</p>' },
    ]);
    expect(body.headers).toMatchObject({
      'Message-ID': '<task.t1@mail.example.com>',
      'In-Reply-To': '<task.t0@mail.example.com>',
      References: '<task.t0@mail.example.com>',
      'Auto-Submitted': 'auto-generated',
    });
  });

  it('waits as long as Retry-After says on 429, then succeeds', async () => {
    script = [
      (_req, res) => {
        res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ message: 'too many requests' }] }));
      },
    ];
    const started = Date.now();
    const result = await transport().send(message);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(result.providerMessageId).toBe('sg-msg-1');
    expect(requests).toHaveLength(2);
  });

  it('retries 5xx with backoff and gives up with a typed error', async () => {
    const fail: Handler = (_req, res) => {
      res.writeHead(503);
      res.end('unavailable');
    };
    script = [fail, fail, fail];
    const error = await transport({ maxRetries: 2 }).send(message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendGridError);
    expect(error).toMatchObject({ failure: 'http', status: 503, body: 'unavailable', attempts: 3, retryable: true });
    expect(requests).toHaveLength(3);
  });

  it('does not retry a 400 and reports SendGrid’s message', async () => {
    const error = await transport().send({ ...message, subject: '' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendGridError);
    expect(error).toMatchObject({ status: 400, retryable: false, attempts: 1 });
    expect((error as Error).message).toContain('subject required');
    expect(requests).toHaveLength(1);
  });

  it('does not retry a bad API key', async () => {
    const error = await new SendGridTransport({ apiKey: 'SG.wrong', baseUrl }).send(message).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, retryable: false });
    expect(String((error as Error).message)).not.toContain('SG.wrong');
    expect(requests).toHaveLength(1);
  });

  it('gives up after the timeout with a timeout error', async () => {
    script = [() => undefined]; // never answers
    const started = Date.now();
    const error = await transport({ timeoutMs: 200 }).send(message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendGridError);
    expect(error).toMatchObject({ failure: 'timeout', status: undefined });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports an unreachable server as a network error after retrying', async () => {
    const error = await new SendGridTransport({ apiKey: API_KEY, baseUrl: 'http://127.0.0.1:1', maxRetries: 1, retryBaseDelayMs: 1 })
      .send(message)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: 'network', attempts: 2 });
  });
});
