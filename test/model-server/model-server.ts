// A scripted model server for driving the real agent CLIs (Claude Code, OpenCode, Codex,
// Gemini CLI) in tests. It speaks the Anthropic Messages API, the OpenAI Responses and Chat
// Completions APIs and the Gemini API on 127.0.0.1, answers each main-conversation request
// with the next turn of a script, and records every request so tests can assert on them.
//
// Only erasable TypeScript syntax is used (no enums, no parameter properties), so the file
// also loads under Node's type stripping.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { isAbsolute, join } from 'node:path';
import * as zlib from 'node:zlib';

// ---------------------------------------------------------------------------------------
// Script format

/** One thing the model does within a turn. */
export type Action =
  /** Plain assistant text. */
  | { type: 'text'; text: string }
  /** A tool call with the CLI's own tool name and argument shape (e.g. Claude `Write`). */
  | { type: 'tool_call'; name: string; input: Record<string, unknown> }
  /** Neutral: create/overwrite a file. Mapped to the CLI's write tool (Write, write,
   * write_file, apply_patch, or a shell heredoc). Relative paths are resolved against the
   * working directory the CLI announces in its prompt (or `Script.cwd`). */
  | { type: 'write_file'; path: string; content: string }
  /** Neutral: run a shell command with the CLI's shell tool (Bash, bash, run_shell_command,
   * exec_command, shell, shell_command). */
  | { type: 'run_command'; command: string }
  /** Stop answering: if first in the turn nothing is sent at all (with `headers: true`, only
   * the 200 status and headers); otherwise the earlier actions are streamed and the stream
   * then stalls. The socket stays open until close(). */
  | { type: 'hang'; headers?: boolean }
  /** Answer with an HTTP error in the API's error shape. Placed after other actions it
   * instead cuts the stream (socket destroyed) after they are sent. */
  | { type: 'error'; status: number; message?: string; retryAfterSeconds?: number }
  /** Pause before the next action (streaming responses are flushed up to here first). */
  | { type: 'delay'; ms: number };

/** A turn is what the model answers to one main-conversation request. */
export type Turn = Action[];

export interface Script {
  turns: Turn[];
  /** Text answered once the script is exhausted (default "done"). */
  doneText?: string;
  /** Turn answered to every main request once the turns are used up, instead of doneText
   * (e.g. a persistent error: CLIs retry, and a one-off error turn would be retried away). */
  after?: Turn;
  /** Text answered to side calls such as title generation (default "Scripted session"). */
  sideText?: string;
  /** Base for relative paths in neutral actions when the prompt does not reveal the cwd. */
  cwd?: string;
}

/** A turn as written in a script: a list of actions, where a string stands for a text
 * action; a lone action or string is a one-action turn. */
export type TurnInput = Array<Action | string> | Action | string;

/** Script input: a bare array of turns, or an object with turns and options. */
export type ScriptInput =
  | TurnInput[]
  | { turns: TurnInput[]; doneText?: string; after?: TurnInput; sideText?: string; cwd?: string };

export type ApiKind = 'anthropic' | 'openai-responses' | 'openai-chat' | 'gemini' | 'other';
export type RequestKind = 'main' | 'side' | 'other';

export interface RecordedRequest {
  seq: number;
  at: string;
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or the raw text when it is not JSON, or undefined when empty. */
  body: any;
  api: ApiKind;
  /** main = consumed a turn (or got doneText), side = title/summary/classifier call. */
  kind: RequestKind;
  /** Index of the script turn that answered it (main requests only; -1 = past the end:
   * answered with `after` or doneText). */
  turn?: number;
  /** Model name asked for, when the API carries one. */
  model?: string;
  /** Tool names defined in the request. */
  tools: string[];
}

export interface ModelServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Replace the script and restart at its first turn. */
  setScript(script: ScriptInput): void;
  /** Main-conversation requests only. */
  mainRequests(): RecordedRequest[];
  close(): Promise<void>;
}

export interface ModelServerOptions {
  /** Port to listen on (default 0 = ephemeral). Always binds 127.0.0.1. */
  port?: number;
  /** Override side-call detection. */
  isSideCall?: (req: RecordedRequest) => boolean;
  /** Log each request to stderr (also enabled by MODEL_SERVER_DEBUG=1). */
  debug?: boolean;
  /** Called for each request once it is classified, before it is answered. */
  onRequest?: (req: RecordedRequest) => void;
}

export function normalizeScript(input: ScriptInput): Script {
  const raw: any = Array.isArray(input) ? { turns: input } : input;
  const toAction = (a: Action | string): Action => (typeof a === 'string' ? { type: 'text', text: a } : a);
  const toTurn = (t: TurnInput): Turn => (Array.isArray(t) ? t.map(toAction) : [toAction(t)]);
  const turns: Turn[] = (raw.turns ?? []).map(toTurn);
  const after = raw.after === undefined ? undefined : toTurn(raw.after);
  return { turns, doneText: raw.doneText, after, sideText: raw.sideText, cwd: raw.cwd };
}

// ---------------------------------------------------------------------------------------
// Helpers exported for tests

/** Tool names declared in a request body of any of the supported APIs. */
export function toolNamesOf(body: any): string[] {
  if (!body || typeof body !== 'object' || !Array.isArray(body.tools)) return [];
  const names: string[] = [];
  for (const t of body.tools) {
    if (!t || typeof t !== 'object') continue;
    if (Array.isArray(t.functionDeclarations)) {
      for (const f of t.functionDeclarations) if (f?.name) names.push(String(f.name));
    } else if (t.function?.name) names.push(String(t.function.name));
    else if (t.name) names.push(String(t.name));
    else if (t.type) names.push(String(t.type));
  }
  return names;
}

/** All text in a request body (prompts, system prompt, tool results), for assertions. */
export function textOf(body: any): string {
  const out: string[] = [];
  const walk = (v: any, key?: string): void => {
    if (typeof v === 'string') {
      if (key !== 'signature' && key !== 'data') out.push(v);
    } else if (Array.isArray(v)) v.forEach((x) => walk(x));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (k !== 'tools') walk(x, k);
  };
  walk(body);
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------
// Server

const MODELS = [
  'claude-sonnet-4-5',
  'claude-sonnet-4-5-20250929',
  'claude-haiku-4-5',
  'claude-opus-4-1',
  'gpt-5',
  'gpt-5-codex',
  'gemini-2.5-pro',
  'gemini-2.5-flash',
];

function id(prefix: string): string {
  return `${prefix}${randomBytes(12).toString('hex')}`;
}

function classifyApi(method: string, path: string): ApiKind {
  if (method !== 'POST') return 'other';
  if (/\/messages$/.test(path)) return 'anthropic';
  if (/\/responses$/.test(path)) return 'openai-responses';
  if (/\/chat\/completions$/.test(path)) return 'openai-chat';
  if (/:(stream)?[gG]enerateContent$/.test(path)) return 'gemini';
  return 'other';
}

/** Default side-call detection: a generation request that declares no tools. Every agent
 * CLI observed sends its tool list with each main-conversation request, while title
 * generation, summaries, quota probes and routing classifiers come without tools. */
export function defaultIsSideCall(req: RecordedRequest): boolean {
  return req.tools.length === 0;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  let buf = Buffer.concat(chunks);
  const enc = String(req.headers['content-encoding'] ?? '').toLowerCase();
  try {
    if (enc === 'gzip') buf = zlib.gunzipSync(buf);
    else if (enc === 'deflate') buf = zlib.inflateSync(buf);
    else if (enc === 'br') buf = zlib.brotliDecompressSync(buf);
    else if (enc === 'zstd' && typeof (zlib as any).zstdDecompressSync === 'function')
      buf = (zlib as any).zstdDecompressSync(buf);
  } catch {
    // keep the raw bytes; the body is recorded as text
  }
  return buf;
}

export async function startModelServer(
  scriptInput: ScriptInput = { turns: [] },
  options: ModelServerOptions = {},
): Promise<ModelServer> {
  let script = normalizeScript(scriptInput);
  let nextTurn = 0;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const debug = options.debug ?? process.env.MODEL_SERVER_DEBUG === '1';
  const isSideCall = options.isSideCall ?? defaultIsSideCall;

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (debug) process.stderr.write(`[model-server] error: ${err?.stack ?? err}\n`);
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: String(err?.message ?? err) } }));
      } else res.destroy();
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    let body: any;
    if (raw.length > 0) {
      const text = raw.toString('utf8');
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const path = url.pathname;
    const api = classifyApi(method, path);
    const rec: RecordedRequest = {
      seq: requests.length,
      at: new Date().toISOString(),
      method,
      path,
      query: Object.fromEntries(url.searchParams.entries()),
      headers: { ...req.headers },
      body,
      api,
      kind: 'other',
      tools: toolNamesOf(body),
      model: modelOf(api, path, body),
    };
    requests.push(rec);

    if (api === 'other') {
      if (debug) process.stderr.write(`[model-server] ${method} ${req.url} -> other\n`);
      options.onRequest?.(rec);
      return answerOther(rec, res);
    }
    if (isSideCall(rec)) {
      rec.kind = 'side';
      if (debug) process.stderr.write(`[model-server] ${method} ${req.url} (${rec.model}) -> side\n`);
      options.onRequest?.(rec);
      return respond(rec, res, [{ type: 'text', text: sideTextFor(rec) }]);
    }
    rec.kind = 'main';
    let turn: Turn;
    if (nextTurn < script.turns.length) {
      rec.turn = nextTurn;
      turn = script.turns[nextTurn++];
    } else {
      rec.turn = -1;
      turn = script.after ?? [{ type: 'text', text: script.doneText ?? 'done' }];
    }
    if (debug)
      process.stderr.write(
        `[model-server] ${method} ${req.url} (${rec.model}, ${rec.tools.length} tools) -> turn ${rec.turn}\n`,
      );
    options.onRequest?.(rec);
    return respond(rec, res, turn);
  }

  function sideTextFor(rec: RecordedRequest): string {
    const wantsJson =
      rec.api === 'gemini' &&
      (rec.body?.generationConfig?.responseMimeType === 'application/json' ||
        rec.body?.generationConfig?.responseJsonSchema ||
        rec.body?.generationConfig?.responseSchema);
    if (wantsJson) return geminiJsonSideAnswer(rec.body);
    return script.sideText ?? 'Scripted session';
  }

  function answerOther(rec: RecordedRequest, res: ServerResponse): void {
    const { method, path } = rec;
    const json = (status: number, obj: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(obj));
    };
    if (method === 'POST' && /\/messages\/count_tokens$/.test(path)) {
      return json(200, { input_tokens: Math.max(1, Math.round(textOf(rec.body).length / 4)) });
    }
    if (method === 'POST' && /:countTokens$/.test(path)) {
      return json(200, { totalTokens: Math.max(1, Math.round(textOf(rec.body).length / 4)) });
    }
    if (method === 'GET' && /\/models$/.test(path)) {
      if (path.startsWith('/v1beta')) {
        return json(200, {
          models: MODELS.filter((m) => m.startsWith('gemini')).map((m) => ({
            name: `models/${m}`,
            displayName: m,
            supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'],
          })),
        });
      }
      // One body that satisfies both the Anthropic and the OpenAI listing shapes.
      const data = MODELS.map((m) => ({
        id: m,
        object: 'model',
        type: 'model',
        display_name: m,
        created: 1700000000,
        created_at: '2025-01-01T00:00:00Z',
        owned_by: 'model-server',
      }));
      return json(200, { object: 'list', data, has_more: false, first_id: MODELS[0], last_id: MODELS[MODELS.length - 1], models: [] });
    }
    if (method === 'GET' && /\/models\/[^/]+$/.test(path)) {
      const m = decodeURIComponent(path.split('/').pop() ?? '');
      return json(200, { id: m, object: 'model', type: 'model', display_name: m, created_at: '2025-01-01T00:00:00Z' });
    }
    if (method === 'HEAD' || (method === 'GET' && (path === '/' || path === '/health'))) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(method === 'HEAD' ? undefined : 'ok');
      return;
    }
    return json(404, {
      type: 'error',
      error: { type: 'not_found_error', message: `model-server: no route for ${method} ${path}`, code: 404 },
    });
  }

  // -------------------------------------------------------------------------------------
  // Responding

  async function respond(rec: RecordedRequest, res: ServerResponse, turn: Turn): Promise<void> {
    const first = turn[0];
    if (first?.type === 'hang') {
      // Never answer; or answer 200 and then never send a byte of the body.
      if (first.headers) res.writeHead(200, { 'content-type': isStreaming(rec) ? 'text/event-stream' : 'application/json' }).flushHeaders();
      return;
    }
    if (first?.type === 'error') return sendError(rec, res, first);
    const streaming = isStreaming(rec);
    const parts = resolveActions(rec, turn);
    switch (rec.api) {
      case 'anthropic':
        return streaming ? anthropicStream(rec, res, parts) : anthropicJson(rec, res, parts);
      case 'openai-responses':
        return streaming ? responsesStream(rec, res, parts) : responsesJson(rec, res, parts);
      case 'openai-chat':
        return streaming ? chatStream(rec, res, parts) : chatJson(rec, res, parts);
      case 'gemini':
        return streaming ? geminiStream(rec, res, parts) : geminiJson(rec, res, parts);
      default:
        return answerOther(rec, res);
    }
  }

  function sendError(rec: RecordedRequest, res: ServerResponse, a: { status: number; message?: string; retryAfterSeconds?: number }): void {
    const message = a.message ?? `scripted error ${a.status}`;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (a.retryAfterSeconds !== undefined) headers['retry-after'] = String(a.retryAfterSeconds);
    let body: unknown;
    if (rec.api === 'anthropic') {
      const type =
        a.status === 429 ? 'rate_limit_error' : a.status === 529 ? 'overloaded_error' : a.status === 401 ? 'authentication_error' : a.status >= 500 ? 'api_error' : 'invalid_request_error';
      body = { type: 'error', error: { type, message } };
    } else if (rec.api === 'gemini') {
      const status = a.status === 429 ? 'RESOURCE_EXHAUSTED' : a.status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT';
      body = { error: { code: a.status, message, status } };
    } else {
      body = { error: { message, type: a.status >= 500 ? 'server_error' : 'invalid_request_error', code: null, param: null } };
    }
    res.writeHead(a.status, headers);
    res.end(JSON.stringify(body));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    setScript(s: ScriptInput): void {
      script = normalizeScript(s);
      nextTurn = 0;
    },
    mainRequests(): RecordedRequest[] {
      return requests.filter((r) => r.kind === 'main');
    },
    close(): Promise<void> {
      return new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      });
    },
  };

  // -------------------------------------------------------------------------------------
  // Action resolution: neutral actions -> concrete tool calls for the requesting CLI

  function resolveActions(rec: RecordedRequest, turn: Turn): Part[] {
    const parts: Part[] = [];
    for (const a of turn) {
      switch (a.type) {
        case 'text':
          parts.push({ kind: 'text', text: a.text });
          break;
        case 'tool_call':
          parts.push(toolPart(rec, a.name, a.input));
          break;
        case 'write_file':
          parts.push(writeFilePart(rec, a.path, a.content));
          break;
        case 'run_command':
          parts.push(runCommandPart(rec, a.command));
          break;
        case 'delay':
          parts.push({ kind: 'delay', ms: a.ms });
          break;
        case 'hang':
          parts.push({ kind: 'hang' });
          break;
        case 'error':
          // an error after output: cut the stream
          parts.push({ kind: 'hang', destroy: true });
          break;
      }
    }
    return parts;
  }

  function toolPart(rec: RecordedRequest, name: string, input: Record<string, unknown>): Part {
    const def = toolDef(rec.body, name);
    const custom = def?.type === 'custom';
    return { kind: 'tool', name, input, custom, callId: id('call_') };
  }

  function cwdOf(rec: RecordedRequest): string | undefined {
    const text = textOf(rec.body);
    const patterns = [
      /<cwd>([^<]+)<\/cwd>/,
      /Workspace Directories:\**\s*\n\s*-\s*(\/[^\s<]+)/,
      /Working directory:\s*(\/[^\s<]+)/i,
      /working (?:in|on) the directory:?\s*(\/[^\s<]+)/i,
      /current working directory(?: is)?:?\s*(\/[^\s<]+)/i,
    ];
    for (const p of patterns) {
      const m = p.exec(text);
      if (m) return m[1].replace(/[.,;:'"`]+$/, '');
    }
    return script.cwd;
  }

  function absolute(rec: RecordedRequest, p: string): string {
    if (isAbsolute(p)) return p;
    const cwd = cwdOf(rec);
    return cwd ? join(cwd, p) : p;
  }

  function writeFilePart(rec: RecordedRequest, path: string, content: string): Part {
    const has = (n: string): boolean => rec.tools.includes(n);
    if (has('Write')) return toolPart(rec, 'Write', { file_path: absolute(rec, path), content });
    if (has('write')) return toolPart(rec, 'write', { filePath: absolute(rec, path), content });
    if (has('write_file')) return toolPart(rec, 'write_file', { file_path: absolute(rec, path), content });
    if (has('apply_patch')) {
      // Codex declares a freeform (custom) tool whose input is the patch itself; OpenCode's
      // function tool for GPT models takes {patchText}. Use whatever key the schema names.
      const params = toolParams(toolDef(rec.body, 'apply_patch'));
      const key: string = params?.required?.[0] ?? Object.keys(params?.properties ?? {})[0] ?? 'input';
      return toolPart(rec, 'apply_patch', { [key]: addFilePatch(path, content) });
    }
    const delim = `EOF_${randomBytes(4).toString('hex')}`;
    return runCommandPart(rec, `cat > '${path.replace(/'/g, "'\\''")}' <<'${delim}'\n${content}${content.endsWith('\n') ? '' : '\n'}${delim}`);
  }

  function runCommandPart(rec: RecordedRequest, command: string): Part {
    const has = (n: string): boolean => rec.tools.includes(n);
    if (has('Bash')) return toolPart(rec, 'Bash', { command, description: 'Run a command' });
    if (has('bash')) return toolPart(rec, 'bash', { command, description: 'Run a command' });
    if (has('run_shell_command')) return toolPart(rec, 'run_shell_command', { command, description: 'Run a command' });
    if (has('exec_command')) return toolPart(rec, 'exec_command', { cmd: command });
    if (has('shell_command')) return toolPart(rec, 'shell_command', { command });
    if (has('shell')) {
      const params = toolParams(toolDef(rec.body, 'shell'));
      const isArray = params?.properties?.command?.type === 'array';
      return toolPart(rec, 'shell', { command: isArray ? ['bash', '-lc', command] : command });
    }
    if (has('local_shell')) return toolPart(rec, 'local_shell', { command: ['bash', '-lc', command] });
    throw new Error(`model-server: no shell tool among [${rec.tools.join(', ')}]`);
  }
}

/** A create-file patch in the format of Codex's apply_patch tool. */
export function addFilePatch(path: string, content: string): string {
  const lines = content.replace(/\n$/, '').split('\n');
  return ['*** Begin Patch', `*** Add File: ${path}`, ...lines.map((l) => `+${l}`), '*** End Patch', ''].join('\n');
}

function toolDef(body: any, name: string): any {
  if (!body || !Array.isArray(body.tools)) return undefined;
  for (const t of body.tools) {
    if (Array.isArray(t?.functionDeclarations)) {
      const f = t.functionDeclarations.find((x: any) => x?.name === name);
      if (f) return f;
    } else if (t?.function?.name === name) return t;
    else if (t?.name === name) return t;
  }
  return undefined;
}

function toolParams(def: any): any {
  return def?.parameters ?? def?.function?.parameters ?? def?.parametersJsonSchema ?? def?.input_schema;
}

function modelOf(api: ApiKind, path: string, body: any): string | undefined {
  if (api === 'gemini') {
    const m = /models\/([^/:]+):/.exec(path);
    return m ? decodeURIComponent(m[1]) : undefined;
  }
  return body && typeof body === 'object' && typeof body.model === 'string' ? body.model : undefined;
}

function isStreaming(rec: RecordedRequest): boolean {
  if (rec.api === 'gemini') return /:streamGenerateContent$/.test(rec.path);
  return rec.body?.stream === true;
}

/** Answer to a JSON-schema side call from the Gemini CLI (model router, next-speaker
 * check, loop detection). Fills the schema's required fields with harmless values. */
function geminiJsonSideAnswer(body: any): string {
  const schema = body?.generationConfig?.responseJsonSchema ?? body?.generationConfig?.responseSchema;
  const fill = (s: any): unknown => {
    if (!s || typeof s !== 'object') return null;
    const type = String(s.type ?? '').toLowerCase();
    if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
    if (type === 'object' || s.properties) {
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries<any>(s.properties ?? {})) o[k] = fill(v);
      return o;
    }
    if (type === 'array') return [];
    // Zod schemas in the Gemini CLI reject 0 for scores documented as "1-100".
    if (type === 'number' || type === 'integer') return typeof s.minimum === 'number' ? s.minimum : 1;
    if (type === 'boolean') return false;
    return 'ok';
  };
  const answer: any = fill(schema) ?? {};
  // Next-speaker check: let the user speak, so the CLI does not loop back to the model.
  if (answer && typeof answer === 'object' && 'next_speaker' in answer) answer.next_speaker = 'user';
  return JSON.stringify(answer);
}

// ---------------------------------------------------------------------------------------
// Wire formats

type Part =
  | { kind: 'text'; text: string }
  | { kind: 'tool'; name: string; input: Record<string, unknown>; custom: boolean; callId: string }
  | { kind: 'delay'; ms: number }
  | { kind: 'hang'; destroy?: boolean };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function sseHeaders(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
}

function usage(rec: RecordedRequest, parts: Part[]): { input: number; output: number } {
  const input = Math.max(1, Math.round(textOf(rec.body).length / 4));
  const output = Math.max(1, Math.round(JSON.stringify(parts).length / 4));
  return { input, output };
}

/** Runs delays/hangs while streaming; returns false when the stream must stop. */
async function control(res: ServerResponse, p: Part): Promise<boolean> {
  if (p.kind === 'delay') {
    await sleep(p.ms);
    return true;
  }
  if (p.kind === 'hang') {
    if (p.destroy) res.destroy();
    return false;
  }
  return true;
}

// Anthropic Messages ------------------------------------------------------------------

async function anthropicStream(rec: RecordedRequest, res: ServerResponse, parts: Part[]): Promise<void> {
  const u = usage(rec, parts);
  const send = (event: string, data: Record<string, unknown>): void => {
    res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
  };
  sseHeaders(res);
  send('message_start', {
    message: {
      id: id('msg_'),
      type: 'message',
      role: 'assistant',
      model: rec.model ?? 'claude-sonnet-4-5',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: u.input, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  });
  let index = 0;
  let usedTool = false;
  for (const p of parts) {
    if (!(await control(res, p))) return;
    if (p.kind === 'text') {
      send('content_block_start', { index, content_block: { type: 'text', text: '' } });
      for (const chunk of chunks(p.text)) send('content_block_delta', { index, delta: { type: 'text_delta', text: chunk } });
      send('content_block_stop', { index });
      index++;
    } else if (p.kind === 'tool') {
      usedTool = true;
      send('content_block_start', { index, content_block: { type: 'tool_use', id: p.callId.replace(/^call_/, 'toolu_'), name: p.name, input: {} } });
      for (const chunk of chunks(JSON.stringify(p.input), 64))
        send('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: chunk } });
      send('content_block_stop', { index });
      index++;
    }
  }
  send('message_delta', {
    delta: { stop_reason: usedTool ? 'tool_use' : 'end_turn', stop_sequence: null },
    usage: { output_tokens: u.output },
  });
  send('message_stop', {});
  res.end();
}

async function anthropicJson(rec: RecordedRequest, res: ServerResponse, parts: Part[]): Promise<void> {
  const u = usage(rec, parts);
  const content: unknown[] = [];
  let usedTool = false;
  for (const p of parts) {
    if (!(await control(res, p))) return;
    if (p.kind === 'text') content.push({ type: 'text', text: p.text });
    else if (p.kind === 'tool') {
      usedTool = true;
      content.push({ type: 'tool_use', id: p.callId.replace(/^call_/, 'toolu_'), name: p.name, input: p.input });
    }
  }
  json(res, {
    id: id('msg_'),
    type: 'message',
    role: 'assistant',
    model: rec.model ?? 'claude-sonnet-4-5',
    content,
    stop_reason: usedTool ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: u.input, output_tokens: u.output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  });
}

// OpenAI Responses ----------------------------------------------------------------------

function responsesItem(p: Part & { kind: 'text' | 'tool' }): Record<string, unknown> {
  if (p.kind === 'text') {
    return {
      type: 'message',
      id: id('msg_'),
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: p.text, annotations: [] }],
    };
  }
  if (p.custom) {
    return { type: 'custom_tool_call', id: id('ctc_'), status: 'completed', call_id: p.callId, name: p.name, input: String(p.input.input ?? '') };
  }
  return { type: 'function_call', id: id('fc_'), status: 'completed', call_id: p.callId, name: p.name, arguments: JSON.stringify(p.input) };
}

function responsesEnvelope(rec: RecordedRequest, respId: string, status: string, output: unknown[], u?: { input: number; output: number }): Record<string, unknown> {
  return {
    id: respId,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status,
    model: rec.model ?? 'gpt-5',
    output,
    usage: u
      ? {
          input_tokens: u.input,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: u.output,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: u.input + u.output,
        }
      : null,
  };
}

async function responsesStream(rec: RecordedRequest, res: ServerResponse, parts: Part[]): Promise<void> {
  const u = usage(rec, parts);
  const respId = id('resp_');
  let seq = 0;
  const send = (type: string, data: Record<string, unknown>): void => {
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`);
  };
  sseHeaders(res);
  send('response.created', { response: responsesEnvelope(rec, respId, 'in_progress', []) });
  send('response.in_progress', { response: responsesEnvelope(rec, respId, 'in_progress', []) });
  const output: unknown[] = [];
  for (const p of parts) {
    if (!(await control(res, p))) return;
    if (p.kind !== 'text' && p.kind !== 'tool') continue;
    const item = responsesItem(p);
    const output_index = output.length;
    if (p.kind === 'text') {
      const itemId = item.id as string;
      send('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', content: [] } });
      send('response.content_part.added', { item_id: itemId, output_index, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
      for (const chunk of chunks(p.text))
        send('response.output_text.delta', { item_id: itemId, output_index, content_index: 0, delta: chunk, logprobs: [] });
      send('response.output_text.done', { item_id: itemId, output_index, content_index: 0, text: p.text, logprobs: [] });
      send('response.content_part.done', { item_id: itemId, output_index, content_index: 0, part: { type: 'output_text', text: p.text, annotations: [] } });
    } else if (item.type === 'function_call') {
      send('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', arguments: '' } });
      send('response.function_call_arguments.delta', { item_id: item.id, output_index, delta: item.arguments });
      send('response.function_call_arguments.done', { item_id: item.id, output_index, arguments: item.arguments });
    } else {
      send('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', input: '' } });
      send('response.custom_tool_call_input.delta', { item_id: item.id, output_index, delta: item.input });
      send('response.custom_tool_call_input.done', { item_id: item.id, output_index, input: item.input });
    }
    send('response.output_item.done', { output_index, item });
    output.push(item);
  }
  send('response.completed', { response: responsesEnvelope(rec, respId, 'completed', output, u) });
  res.end();
}

async function responsesJson(rec: RecordedRequest, res: ServerResponse, parts: Part[]): Promise<void> {
  const output: unknown[] = [];
  for (const p of parts) {
    if (!(await control(res, p))) return;
    if (p.kind === 'text' || p.kind === 'tool') output.push(responsesItem(p));
  }
  const body = responsesEnvelope(rec, id('resp_'), 'completed', output, usage(rec, parts));
  (body as any).output_text = parts.filter((p) => p.kind === 'text').map((p) => (p as { text: string }).text).join('');
  json(res, body);
}

// OpenAI Chat Completions ---------------------------------------------------------------

async function chatStream(rec: RecordedRequest, res: ServerResponse, parts: Part[]): Promise<void> {
  const u = usage(rec, parts);
  const chatId = id('chatcmpl-');
  const created = Math.floor(Date.now() / 1000);
  const model = rec.model ?? 'gpt-5';
  const send = (delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}): void => {
    res.write(
      `data: ${JSON.stringify({ id: chatId, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`,
    );
  };
  sseHeaders(res);
  send({ role: 'assistant', content: '' });
  let toolIndex = 0;
  for (const p of parts) {
    if (!(await control(res, p))) return;
    if (p.kind === 'text') for (const chunk of chunks(p.text)) send({ content: chunk });
    else if (p.kind === 'tool') {
      const args = JSON.stringify(p.input);
      send({ tool_calls: [{ index: toolIndex, id: p.callId, type: 'function', function: { name: p.name, arguments: '' } }] });
      for (const chunk of chunks(args, 64)) send({ tool_calls: [{ index: toolIndex, function: { arguments: chunk } }] });
      toolIndex++;
    }
  }
  send({}, toolIndex > 0 ? 'tool_calls' : 'stop');
  if (rec.body?.stream_options?.include_usage) {
    res.write(
      `data: ${JSON.stringify({ id: chatId, object: 'chat.completion.chunk', created, model, choices: [], usage: { prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.input + u.output } })}\n\n`,
    );
  }
  res.write('data: [DONE]\n\n');
  res.end();
}

async function chatJson(rec: RecordedRequest, res: ServerResponse, parts: Part[]): Promise<void> {
  const u = usage(rec, parts);
  let text = '';
  const toolCalls: unknown[] = [];
  for (const p of parts) {
    if (!(await control(res, p))) return;
    if (p.kind === 'text') text += p.text;
    else if (p.kind === 'tool') toolCalls.push({ id: p.callId, type: 'function', function: { name: p.name, arguments: JSON.stringify(p.input) } });
  }
  json(res, {
    id: id('chatcmpl-'),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: rec.model ?? 'gpt-5',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text || null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
        finish_reason: toolCalls.length ? 'tool_calls' : 'stop',
      },
    ],
    usage: { prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.input + u.output },
  });
}

// Gemini --------------------------------------------------------------------------------

function geminiChunk(rec: RecordedRequest, partsOut: unknown[], finish: boolean, u?: { input: number; output: number }): Record<string, unknown> {
  return {
    candidates: [
      {
        content: { role: 'model', parts: partsOut },
        index: 0,
        ...(finish ? { finishReason: 'STOP' } : {}),
      },
    ],
    ...(u ? { usageMetadata: { promptTokenCount: u.input, candidatesTokenCount: u.output, totalTokenCount: u.input + u.output } } : {}),
    modelVersion: rec.model ?? 'gemini-2.5-pro',
    responseId: id(''),
  };
}

function geminiPart(p: Part & { kind: 'text' | 'tool' }): Record<string, unknown> {
  if (p.kind === 'text') return { text: p.text };
  return { functionCall: { id: p.callId, name: p.name, args: p.input } };
}

async function geminiStream(rec: RecordedRequest, res: ServerResponse, parts: Part[]): Promise<void> {
  const u = usage(rec, parts);
  sseHeaders(res);
  const content = parts.filter((p) => p.kind === 'text' || p.kind === 'tool');
  if (content.length === 0) {
    res.write(`data: ${JSON.stringify(geminiChunk(rec, [{ text: '' }], true, u))}\r\n\r\n`);
    res.end();
    return;
  }
  let sent = 0;
  for (const p of parts) {
    if (!(await control(res, p))) return;
    if (p.kind !== 'text' && p.kind !== 'tool') continue;
    sent++;
    const last = sent === content.length;
    res.write(`data: ${JSON.stringify(geminiChunk(rec, [geminiPart(p)], last, last ? u : undefined))}\r\n\r\n`);
  }
  res.end();
}

async function geminiJson(rec: RecordedRequest, res: ServerResponse, parts: Part[]): Promise<void> {
  const out: unknown[] = [];
  for (const p of parts) {
    if (!(await control(res, p))) return;
    if (p.kind === 'text' || p.kind === 'tool') out.push(geminiPart(p));
  }
  json(res, geminiChunk(rec, out.length ? out : [{ text: '' }], true, usage(rec, parts)));
}

// ---------------------------------------------------------------------------------------

function json(res: ServerResponse, obj: unknown, status = 200): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(obj));
}

function chunks(s: string, size = 16): string[] {
  if (s.length === 0) return [''];
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}
