import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionSyncRequest } from '#contracts';
import pino from 'pino';
import type { WorkerConfig } from '../config/worker-config';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { HttpTransport } from '../control-plane/http-transport';
import { systemClock } from '../system/clock';
import { CodebaseDirectory } from '../tasks/codebase-directory';
import { ClaudeCodeSessionReader, claudeProjectSlug } from './claude-code-sessions';
import { SessionSyncService } from './session-sync.service';

/** A stand-in control plane: records each sessions/sync body; answers per codebase as told. */
class FakeApi {
  readonly received: { codebaseId: string; body: SessionSyncRequest }[] = [];
  readonly status = new Map<string, number>();
  /** Codebases whose sync request gets no answer at all (a hung API). */
  readonly hang = new Set<string>();
  private waiters: (() => void)[] = [];
  server: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (d) => (raw += d));
      req.on('end', () => {
        const m = /^\/v1\/agent\/codebases\/([^/]+)\/sessions\/sync$/.exec(req.url ?? '');
        if (req.method !== 'POST' || !m) {
          res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not found"}');
          return;
        }
        const codebaseId = decodeURIComponent(m[1]);
        const body = JSON.parse(raw) as SessionSyncRequest;
        this.received.push({ codebaseId, body });
        if (this.hang.has(codebaseId)) return this.waiters.splice(0).forEach((w) => w());
        const status = this.status.get(codebaseId) ?? 200;
        const answer = status === 200 ? { codebase_id: codebaseId, synced: body.sessions.length, synced_at: new Date().toISOString() } : { statusCode: status, message: `refused with ${status}` };
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
        this.waiters.splice(0).forEach((w) => w());
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves once `n` sync requests have arrived in all. */
  async until(n: number): Promise<void> {
    while (this.received.length < n) await new Promise<void>((r) => this.waiters.push(r));
  }

  sent(codebaseId: string): string[][] {
    return this.received.filter((r) => r.codebaseId === codebaseId).map((r) => r.body.sessions.map((s) => s.id));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** A Claude Code session file as 2.1.330 writes it (user line, assistant line), `turns` exchanges long. */
function claudeSession(configDir: string, cwd: string, id: string, turns = 1): void {
  const dir = join(configDir, 'projects', claudeProjectSlug(cwd));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${id}.jsonl`), '');
  for (let i = 0; i < turns; i++) addTurn(configDir, cwd, id, i);
}

function addTurn(configDir: string, cwd: string, id: string, i: number): void {
  const file = join(configDir, 'projects', claudeProjectSlug(cwd), `${id}.jsonl`);
  const at = (s: number) => new Date(Date.UTC(2026, 10, 23, 13, 0, i * 2 + s)).toISOString();
  const base = { isSidechain: false, cwd, sessionId: id, version: '2.1.330' };
  appendFileSync(
    file,
    [
      { ...base, type: 'user', message: { role: 'user', content: `prompt ${i}` }, uuid: `${id}-u${i}`, timestamp: at(0) },
      { ...base, type: 'assistant', message: { id: `msg-${id}-${i}`, role: 'assistant', content: [{ type: 'text', text: `reply ${i}` }] }, uuid: `${id}-a${i}`, timestamp: at(1) },
    ]
      .map((l) => JSON.stringify(l) + '\n')
      .join(''),
  );
}

describe('SessionSyncService', () => {
  let root: string;
  let configDir: string;
  let api: FakeApi;
  let codebases: CodebaseDirectory;
  let service: SessionSyncService;
  const logger = pino({ level: 'silent' });
  const cwd = (name: string) => join(root, name);

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'cf-session-sync-'));
    configDir = join(root, 'claude');
    api = new FakeApi();
    await api.start();
    const client = new ControlPlaneClient(new HttpTransport({ baseUrl: api.url, token: 't', timeoutMs: 5000, userAgent: 'test' }, systemClock, logger));
    codebases = new CodebaseDirectory();
    for (const name of ['alpha', 'beta', 'gamma']) {
      mkdirSync(cwd(name));
      codebases.add({ id: `cb-${name}`, name, path: cwd(name) });
    }
    const reader = new ClaudeCodeSessionReader({ CLAUDE_CONFIG_DIR: configDir }, logger);
    service = new SessionSyncService({ workerId: 'w1' } as WorkerConfig, logger, systemClock, client, codebases, [reader]);
  });
  afterEach(async () => {
    await service.stop();
    await api.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('sends every session the first time, then only the ones that changed', async () => {
    claudeSession(configDir, cwd('alpha'), 's1');
    claudeSession(configDir, cwd('alpha'), 's2', 2);
    await service.syncNow();
    expect(api.received).toHaveLength(1);
    expect(api.received[0]).toMatchObject({ codebaseId: 'cb-alpha', body: { worker_id: 'w1' } });
    expect(api.received[0].body.sessions.map((s) => [s.id, s.agent_type, s.message_count]).sort()).toEqual([
      ['s1', 'claude_code', 2],
      ['s2', 'claude_code', 4],
    ]);

    await service.syncNow();
    expect(api.received).toHaveLength(1); // nothing changed: nothing sent

    addTurn(configDir, cwd('alpha'), 's1', 5);
    claudeSession(configDir, cwd('alpha'), 's3');
    await service.syncNow();
    expect(api.sent('cb-alpha')[1].sort()).toEqual(['s1', 's3']);
    const s1 = api.received[1].body.sessions.find((s) => s.id === 's1')!;
    expect(s1.message_count).toBe(4);
    expect(s1.messages!.map((m) => m.text)).toEqual(['prompt 0', 'reply 0', 'prompt 5', 'reply 5']);
  });

  it('a codebase the API refuses (409, 500) does not stop the others, and is sent in full once accepted', async () => {
    for (const name of ['alpha', 'beta', 'gamma']) claudeSession(configDir, cwd(name), `${name}-session`);
    api.status.set('cb-alpha', 409);
    api.status.set('cb-beta', 500);
    await service.syncNow();
    expect(api.sent('cb-gamma')).toEqual([['gamma-session']]);
    expect(api.sent('cb-alpha')).toEqual([['alpha-session']]);
    expect(api.sent('cb-beta').length).toBeGreaterThanOrEqual(1); // 5xx is retried briefly

    api.status.clear();
    const before = api.received.length;
    await service.syncNow();
    const again = api.received.slice(before).map((r) => r.codebaseId).sort();
    expect(again).toEqual(['cb-alpha', 'cb-beta']); // gamma was accepted: nothing new to send
  });

  it('interval 0 disables it: no sync, and syncSoon does nothing', async () => {
    claudeSession(configDir, cwd('alpha'), 's1');
    service.start(0);
    expect(service.started).toBe(false);
    service.syncSoon('cb-alpha', 'claude_code');
    await service.stop();
    expect(api.received).toEqual([]);
  });

  it('started, it syncs at once, and again right away when a task ends in a codebase', async () => {
    claudeSession(configDir, cwd('alpha'), 's1');
    service.start(3600);
    await api.until(1);
    expect(api.sent('cb-alpha')).toEqual([['s1']]);

    addTurn(configDir, cwd('alpha'), 's1', 1);
    service.syncSoon('cb-alpha', 'opencode'); // no reader for that tool here: nothing to do
    service.syncSoon('cb-alpha', 'claude_code');
    await api.until(2);
    expect(api.sent('cb-alpha')).toEqual([['s1'], ['s1']]);
    await service.stop();
    expect(service.started).toBe(false);
  });

  it('stop() cancels a sync request the API does not answer, and does not retry it', async () => {
    claudeSession(configDir, cwd('alpha'), 's1');
    api.hang.add('cb-alpha');
    service.start(3600);
    await api.until(1);
    await service.stop();
    expect(service.started).toBe(false);
    expect(api.received).toHaveLength(1);
  });
});
