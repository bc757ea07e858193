/**
 * A tiny control plane for the worker's integration tests: node:http, in memory, implementing
 * the worker routes of DESIGN 5 with the real fencing rules from libs/domain, and recording
 * every call so tests can assert what the worker sent.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  ClaimResponse,
  CodebaseView,
  FailureReason,
  HeartbeatResponse,
  OutputChunkRequest,
  RegisterWorkerRequest,
  RegisterWorkerResponse,
  RunningTaskRef,
  TaskStatus,
  TaskStatusUpdate,
  TaskView,
} from '#contracts';
import { judgeOutputCallback, judgeStatusCallback } from '#domain';

export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  body: any;
  status: number;
  at: number;
}

export interface FakeTask {
  id: string;
  codebase_id: string | null;
  status: TaskStatus;
  attempt: number;
  worker_id: string | null;
  session_id: string | null;
  result: string | null;
  error: string | null;
  failure_reason: FailureReason | null;
  exit_code: number | null;
  output_truncated: boolean;
  agent_type: string;
  prompt: string;
  metadata: Record<string, unknown>;
  chunks: { offset: number; data: string; attempt: number }[];
  claimedAt: number | null;
  finishedAt: number | null;
}

export interface FakeOptions {
  queuePrefix: string;
  redisUrl: string | null;
  heartbeatIntervalS?: number;
  /** Handed to the worker at registration; 0 (default) keeps its session sync off, so it runs no CLI of its own. */
  sessionSyncIntervalS?: number;
}

export class FakeControlPlane {
  readonly calls: RecordedCall[] = [];
  readonly tasks = new Map<string, FakeTask>();
  readonly codebases = new Map<string, CodebaseView>();
  readonly workers = new Map<string, RegisterWorkerRequest>();
  /** Returned in every heartbeat response while set. */
  cancels: RunningTaskRef[] = [];
  /** Ids listed by GET /workers?status=active (default: the registered workers). */
  activeWorkerIds: string[] | null = null;
  /** Claims of these task ids answer 404 "worker not found", as an API that forgot the worker does. */
  readonly refuseClaimsFor = new Set<string>();
  /** The next heartbeat answers 404 (the server "forgot" the worker). */
  forgetWorkerOnce = false;
  url = '';
  private server: Server | null = null;
  private codebaseSeq = 0;

  constructor(private readonly opts: FakeOptions) {}

  static async start(opts: FakeOptions): Promise<FakeControlPlane> {
    const fake = new FakeControlPlane(opts);
    fake.server = createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => fake.server!.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server!.address() as AddressInfo).port}`;
    return fake;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  addTask(id: string, over: Partial<FakeTask> = {}): FakeTask {
    const task: FakeTask = {
      id,
      codebase_id: null,
      status: 'pending',
      attempt: 0,
      worker_id: null,
      session_id: null,
      result: null,
      error: null,
      failure_reason: null,
      exit_code: null,
      output_truncated: false,
      agent_type: 'build',
      prompt: '',
      metadata: {},
      chunks: [],
      claimedAt: null,
      finishedAt: null,
      ...over,
    };
    this.tasks.set(id, task);
    return task;
  }

  /** Adds a codebase owned by `workerId` (as if registered earlier). */
  addCodebase(view: Partial<CodebaseView> & { id: string; path: string; worker_id: string }): CodebaseView {
    const full: CodebaseView = { name: view.id, description: '', status: 'active', registered_at: new Date().toISOString(), ...view };
    this.codebases.set(full.id, full);
    return full;
  }

  output(taskId: string): string {
    return this.task(taskId).chunks.map((c) => c.data).join('');
  }

  task(id: string): FakeTask {
    const t = this.tasks.get(id);
    if (!t) throw new Error(`no task ${id}`);
    return t;
  }

  callsTo(method: string, pathPattern: RegExp): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && pathPattern.test(c.path));
  }

  async waitFor<T>(fn: () => T | undefined | null | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = fn();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async waitForStatus(taskId: string, statuses: TaskStatus[] = ['completed', 'failed', 'cancelled'], timeoutMs = 10_000): Promise<FakeTask> {
    return this.waitFor(() => {
      const t = this.tasks.get(taskId);
      return t && statuses.includes(t.status) ? t : null;
    }, timeoutMs, `task ${taskId} to reach ${statuses.join('/')}`);
  }

  private view(t: FakeTask): TaskView {
    return {
      id: t.id,
      codebase_id: t.codebase_id,
      title: '',
      prompt: t.prompt,
      agent_type: t.agent_type,
      tool: null,
      model: null,
      priority: 0,
      status: t.status,
      attempt: t.attempt,
      worker_id: t.worker_id,
      session_id: t.session_id,
      result: t.result,
      error: t.error,
      failure_reason: t.failure_reason,
      exit_code: t.exit_code,
      metadata: t.metadata,
      cancel_requested: false,
      created_at: new Date().toISOString(),
      queued_at: null,
      started_at: null,
      finished_at: null,
      output_bytes: t.chunks.reduce((n, c) => n + Buffer.byteLength(c.data), 0),
      output_truncated: t.output_truncated,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const url = new URL(req.url ?? '/', 'http://x');
    const body = raw ? JSON.parse(raw) : undefined;
    const call: RecordedCall = { method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), body, status: 0, at: Date.now() };
    this.calls.push(call);
    const send = (status: number, payload?: unknown) => {
      call.status = status;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
    };
    const conflict = (message: string) => send(409, { statusCode: 409, error: 'Conflict', message });
    const notFound = (message: string) => send(404, { statusCode: 404, error: 'Not Found', message });
    const p = url.pathname.replace(/^\/v1\/(agent|opencode)/, '');
    let m: RegExpExecArray | null;

    if (req.method === 'POST' && p === '/workers/register') {
      const r = body as RegisterWorkerRequest;
      this.workers.set(r.worker_id, r);
      const response: RegisterWorkerResponse = {
        worker: { id: r.worker_id, name: r.name } as RegisterWorkerResponse['worker'],
        heartbeat_interval_s: this.opts.heartbeatIntervalS ?? 1,
        session_sync_interval_s: this.opts.sessionSyncIntervalS ?? 0,
        redis_url: this.opts.redisUrl,
        queue_prefix: this.opts.queuePrefix,
      };
      return send(201, response);
    }
    if ((m = /^\/workers\/([^/]+)\/heartbeat$/.exec(p)) && req.method === 'POST') {
      if (this.forgetWorkerOnce || !this.workers.has(m[1])) {
        this.forgetWorkerOnce = false;
        this.workers.delete(m[1]);
        return notFound(`worker ${m[1]} not found`);
      }
      const response: HeartbeatResponse = {
        status: 'active',
        cancels: this.cancels,
        codebases: [...this.codebases.values()].filter((c) => c.worker_id === m![1]).map((c) => ({ id: c.id, name: c.name, path: c.path })),
        heartbeat_interval_s: this.opts.heartbeatIntervalS ?? 1,
      };
      return send(200, response);
    }
    if ((m = /^\/workers\/([^/]+)\/unregister$/.exec(p)) && req.method === 'POST') {
      this.workers.delete(m[1]);
      return send(200, {});
    }
    if (p === '/workers' && req.method === 'GET') {
      const ids = this.activeWorkerIds ?? [...this.workers.keys()];
      return send(200, { workers: ids.map((id) => ({ id, status: 'active' })) });
    }
    if (p === '/codebases' && req.method === 'POST') {
      const existing = [...this.codebases.values()].find((c) => c.path === body.path && c.worker_id === body.worker_id);
      if (existing) return send(200, existing);
      const view = this.addCodebase({ id: `cb${++this.codebaseSeq}-${body.name}`, name: body.name, path: body.path, description: body.description ?? '', worker_id: body.worker_id });
      return send(201, view);
    }
    if ((m = /^\/codebases\/([^/]+)$/.exec(p)) && req.method === 'GET') {
      const cb = this.codebases.get(m[1]);
      return cb ? send(200, cb) : notFound('codebase not found');
    }
    if (p === '/tasks' && req.method === 'GET') {
      const list = [...this.tasks.values()]
        .filter((t) => !call.query.status || t.status === call.query.status)
        .filter((t) => !call.query.worker_id || !t.codebase_id || this.codebases.get(t.codebase_id)?.worker_id === call.query.worker_id)
        .map((t) => this.view(t));
      return send(200, { tasks: list, next_cursor: null });
    }
    if ((m = /^\/tasks\/([^/]+)$/.exec(p)) && req.method === 'GET') {
      const t = this.tasks.get(m[1]);
      return t ? send(200, this.view(t)) : notFound('task not found');
    }
    if ((m = /^\/tasks\/([^/]+)\/status$/.exec(p)) && req.method === 'PUT') {
      const t = this.tasks.get(m[1]);
      if (!t) return notFound('task not found');
      const cb = body as TaskStatusUpdate;
      if (this.refuseClaimsFor.has(t.id) && t.status === 'pending') return notFound(`worker ${cb.worker_id} not found`);
      const verdict = judgeStatusCallback(t, cb);
      if (verdict.kind === 'conflict') return conflict(verdict.reason);
      if (verdict.kind === 'claim') {
        t.status = 'running';
        t.attempt = verdict.nextAttempt;
        t.worker_id = cb.worker_id;
        t.claimedAt = Date.now();
        const claim: ClaimResponse = { task: this.view(t), attempt: t.attempt, output_offset: this.view(t).output_bytes };
        return send(200, claim);
      }
      if (verdict.kind === 'update') {
        t.status = cb.status;
        if (cb.session_id) t.session_id = cb.session_id;
        if (cb.result !== undefined) t.result = cb.result;
        if (cb.error !== undefined) t.error = cb.error;
        if (cb.failure_reason !== undefined) t.failure_reason = cb.failure_reason;
        if (cb.exit_code !== undefined) t.exit_code = cb.exit_code;
        if (cb.output_truncated !== undefined) t.output_truncated = cb.output_truncated;
        if (cb.status !== 'running') t.finishedAt = Date.now();
      }
      return send(200, this.view(t));
    }
    if ((m = /^\/tasks\/([^/]+)\/output$/.exec(p)) && req.method === 'POST') {
      const t = this.tasks.get(m[1]);
      if (!t) return notFound('task not found');
      const chunk = body as OutputChunkRequest;
      const refused = judgeOutputCallback(t, chunk.worker_id, chunk.attempt);
      if (refused) return conflict(refused);
      if (!t.chunks.some((c) => c.offset === chunk.offset)) t.chunks.push({ offset: chunk.offset, data: chunk.data, attempt: chunk.attempt });
      return send(201, { offset: chunk.offset });
    }
    return notFound(`no route ${req.method} ${url.pathname}`);
  }
}
