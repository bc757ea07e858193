// The scripted model server, proven twice: its wire formats over plain HTTP, and the real
// agent CLIs (installed by scripts/install-agent-clis.sh) editing a git repository, resuming
// their sessions and reporting API errors while talking only to it.
//
// UPDATE_AGENT_FIXTURES=1 rewrites test/fixtures/agent-output/<cli>-<scenario>.jsonl from
// the runs. KEEP_AGENT_SANDBOX=1 keeps the temporary HOME/work folders for inspection.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gitCodebase } from '../e2e/support/agents';
import { startModelServer, textOf } from './model-server';
import type { ModelServer, RecordedRequest } from './model-server';

jest.setTimeout(120_000);

const CACHE = process.env.CODEFLEET_AGENT_CACHE ?? join(homedir(), '.cache', 'codefleet-agents');
const BIN = join(CACHE, 'node_modules', '.bin');
const FIXTURES = join(__dirname, '..', 'fixtures', 'agent-output');
const UPDATE_FIXTURES = process.env.UPDATE_AGENT_FIXTURES === '1';
const KEEP = process.env.KEEP_AGENT_SANDBOX === '1';
const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;

// ---------------------------------------------------------------------------------------
// Helpers

interface Sandbox {
  root: string;
  home: string;
  work: string;
  env: NodeJS.ProcessEnv;
}

function makeSandbox(name: string): Sandbox {
  const root = realpathSync(mkdtempSync(join(tmpdir(), `cf-agent-${name}-`)));
  const home = join(root, 'home');
  const work = join(root, 'work');
  mkdirSync(home, { recursive: true });
  mkdirSync(work, { recursive: true });
  gitCodebase(work, home);
  // A clean environment: nothing of the developer's own agent configuration or keys leaks in.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    NO_COLOR: '1',
  };
  return { root, home, work, env };
}

function dropSandbox(sb: Sandbox | undefined): void {
  if (!sb) return;
  if (KEEP) console.log(`sandbox kept: ${sb.root}`);
  else rmSync(sb.root, { recursive: true, force: true });
}

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  events: any[];
}

/** Spawns without a shell, in its own process group, stdin closed (as the worker will). */
function run(bin: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const killGroup = (): void => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(killGroup, opts.timeoutMs ?? 90_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      killGroup(); // helpers the CLI may have left in its group
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started, events: parseJsonl(stdout) });
    });
  });
}

function parseJsonl(text: string): any[] {
  const out: any[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      out.push(JSON.parse(t));
    } catch {
      // not an event line
    }
  }
  return out;
}

function saveFixture(name: string, content: string): void {
  if (!UPDATE_FIXTURES) return;
  mkdirSync(FIXTURES, { recursive: true });
  writeFileSync(join(FIXTURES, name), content);
}

function describeRun(r: RunResult): string {
  return `exit ${r.code}${r.signal ? ` (${r.signal})` : ''} after ${r.ms} ms\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;
}

/** Fails with the CLI's own output, which is what one needs to see when a CLI changes. */
function expectOk(r: RunResult): void {
  if (r.code !== 0) throw new Error(`CLI failed: ${describeRun(r)}`);
}

function findFiles(dir: string, pred: (name: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...findFiles(p, pred));
    else if (pred(e.name)) out.push(p);
  }
  return out;
}

function since(server: ModelServer, mark: number): RecordedRequest[] {
  return server.requests.slice(mark);
}

async function sseEvents(res: Response): Promise<Array<{ event?: string; data: any }>> {
  const text = await res.text();
  const out: Array<{ event?: string; data: any }> = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length === 0) continue;
    const raw = data.join('\n');
    out.push({ event, data: raw === '[DONE]' ? raw : JSON.parse(raw) });
  }
  return out;
}

const post = (url: string, body: unknown): Promise<Response> =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

// The same neutral script drives every CLI: the server maps write_file and run_command to
// each CLI's own tools (Write/Bash, write/bash, apply_patch/exec_command, write_file/
// run_shell_command), found in the tool definitions each request carries.
const FIRST_PROMPT = 'Create hello.txt saying hello, then record that a command ran.';
const RESUME_PROMPT = 'What did you do in this session?';
const HELLO = 'hello from the scripted model\n';
const WRITE_SCRIPT = {
  turns: [
    [
      { type: 'text' as const, text: 'I will create hello.txt.' },
      { type: 'write_file' as const, path: 'hello.txt', content: HELLO },
    ],
    [{ type: 'run_command' as const, command: 'echo ran > ran.txt' }],
    ['Created hello.txt and ran.txt.'],
  ],
};
const RESUME_SCRIPT = { turns: [['Earlier I created hello.txt and ran.txt.']] };
// Persistent: Claude Code retries a 400 several times (dropping beta headers) before it
// gives up, so a single error turn would be retried away.
const ERROR_SCRIPT = { turns: [], after: [{ type: 'error' as const, status: 400, message: 'scripted failure: bad request' }] };

function expectWorkspaceEdited(work: string): void {
  expect(readFileSync(join(work, 'hello.txt'), 'utf8')).toBe(HELLO);
  expect(readFileSync(join(work, 'ran.txt'), 'utf8').trim()).toBe('ran');
}

/** The resumed request carries the earlier conversation (first prompt and tool results). */
function expectResumedConversation(server: ModelServer, mark: number): void {
  const main = since(server, mark).filter((r) => r.kind === 'main');
  expect(main.length).toBeGreaterThanOrEqual(1);
  const text = textOf(main[0].body);
  expect(text).toContain(FIRST_PROMPT);
  expect(text).toContain(RESUME_PROMPT);
  expect(text).toContain('I will create hello.txt.');
}

const cliInstalled = (name: string): boolean => existsSync(join(BIN, name));
function describeCli(name: string, fn: () => void): void {
  if (cliInstalled(name)) {
    describe(`real CLI: ${name}`, fn);
  } else {
    console.warn(
      `[model-server.test] skipping ${name}: ${join(BIN, name)} not found. Run scripts/install-agent-clis.sh (cache: ${CACHE}).`,
    );
    describe.skip(`real CLI: ${name} (not installed in ${CACHE})`, fn);
  }
}

// ---------------------------------------------------------------------------------------
// Wire formats, in process

describe('model server wire formats', () => {
  let server: ModelServer;
  beforeEach(async () => {
    server = await startModelServer({
      turns: [
        ['Hi there.', { type: 'tool_call', name: 'Bash', input: { command: 'ls' } }],
        ['Second turn.'],
      ],
    });
  });
  afterEach(() => server.close());

  const anthropicBody = (stream: boolean) => ({
    model: 'claude-sonnet-4-5',
    max_tokens: 100,
    stream,
    tools: [{ name: 'Bash', input_schema: { type: 'object' } }],
    messages: [{ role: 'user', content: 'hello' }],
  });

  it('streams Anthropic messages with text and tool_use blocks, turn by turn, then "done"', async () => {
    const events = await sseEvents(await post(`${server.url}/v1/messages`, anthropicBody(true)));
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[4].data.content_block).toMatchObject({ type: 'tool_use', name: 'Bash' });
    expect(JSON.parse(events[5].data.delta.partial_json)).toEqual({ command: 'ls' });
    expect(events[7].data.delta.stop_reason).toBe('tool_use');

    const second = await (await post(`${server.url}/v1/messages`, anthropicBody(false))).json();
    expect(second).toMatchObject({ type: 'message', stop_reason: 'end_turn', content: [{ type: 'text', text: 'Second turn.' }] });
    const third: any = await (await post(`${server.url}/v1/messages`, anthropicBody(false))).json();
    expect(third.content).toEqual([{ type: 'text', text: 'done' }]);
    expect(server.mainRequests().map((r) => r.turn)).toEqual([0, 1, -1]);
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/v1/messages', api: 'anthropic', tools: ['Bash'] });
    expect(server.requests[0].body.messages[0].content).toBe('hello');
  });

  it('answers tool-less side calls (titles, classifiers) without consuming a turn', async () => {
    const side: any = await (
      await post(`${server.url}/v1/messages`, { model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'title?' }] })
    ).json();
    expect(side.content[0].type).toBe('text');
    const main: any = await (await post(`${server.url}/v1/messages`, anthropicBody(false))).json();
    expect(main.content[0].text).toBe('Hi there.');
    expect(server.requests.map((r) => r.kind)).toEqual(['side', 'main']);
  });

  it('streams OpenAI Responses events with function_call items', async () => {
    const events = await sseEvents(
      await post(`${server.url}/v1/responses`, {
        model: 'gpt-5.5',
        stream: true,
        tools: [{ type: 'function', name: 'Bash', parameters: { type: 'object' } }],
        input: [{ role: 'user', content: 'hello' }],
      }),
    );
    const types = events.map((e) => e.data.type);
    expect(types[0]).toBe('response.created');
    expect(types).toContain('response.output_text.delta');
    expect(types[types.length - 1]).toBe('response.completed');
    const done = events.filter((e) => e.data.type === 'response.output_item.done').map((e) => e.data.item);
    expect(done[0]).toMatchObject({ type: 'message', content: [{ type: 'output_text', text: 'Hi there.' }] });
    expect(done[1]).toMatchObject({ type: 'function_call', name: 'Bash' });
    expect(JSON.parse(done[1].arguments)).toEqual({ command: 'ls' });
    expect(events[events.length - 1].data.response.usage.total_tokens).toBeGreaterThan(0);
  });

  it('streams Chat Completions chunks with tool_calls and [DONE]', async () => {
    const events = await sseEvents(
      await post(`${server.url}/v1/chat/completions`, {
        model: 'gpt-5',
        stream: true,
        tools: [{ type: 'function', function: { name: 'Bash', parameters: { type: 'object' } } }],
        messages: [{ role: 'user', content: 'hello' }],
      }),
    );
    expect(events[events.length - 1].data).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => e.data.choices[0]);
    expect(chunks.map((c) => c.delta.content ?? '').join('')).toBe('Hi there.');
    const args = chunks.flatMap((c) => c.delta.tool_calls ?? []).map((t: any) => t.function.arguments).join('');
    expect(JSON.parse(args)).toEqual({ command: 'ls' });
    expect(chunks[chunks.length - 1].finish_reason).toBe('tool_calls');
  });

  it('streams Gemini candidates with functionCall parts', async () => {
    const res = await post(`${server.url}/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse`, {
      contents: [{ role: 'user', parts: [{ text: 'hello' }] }],
      tools: [{ functionDeclarations: [{ name: 'Bash', parameters: { type: 'OBJECT' } }] }],
    });
    const events = await sseEvents(res);
    const parts = events.flatMap((e) => e.data.candidates[0].content.parts);
    expect(parts).toEqual([{ text: 'Hi there.' }, { functionCall: expect.objectContaining({ name: 'Bash', args: { command: 'ls' } }) }]);
    expect(events[events.length - 1].data.candidates[0].finishReason).toBe('STOP');
    expect(server.requests[0]).toMatchObject({ api: 'gemini', model: 'gemini-2.5-pro', query: { alt: 'sse' } });
  });

  it('fills a Gemini JSON-schema side call (model router) with valid values', async () => {
    const res = await post(`${server.url}/v1beta/models/gemini-flash-lite:generateContent`, {
      contents: [{ role: 'user', parts: [{ text: 'route this' }] }],
      generationConfig: {
        responseMimeType: 'application/json',
        responseJsonSchema: {
          type: 'OBJECT',
          properties: { complexity_reasoning: { type: 'STRING' }, complexity_score: { type: 'INTEGER' } },
        },
      },
    });
    const body: any = await res.json();
    expect(JSON.parse(body.candidates[0].content.parts[0].text)).toEqual({ complexity_reasoning: 'ok', complexity_score: 1 });
    expect(server.requests[0].kind).toBe('side');
  });

  it('answers scripted errors in the API error shape', async () => {
    server.setScript([[{ type: 'error', status: 429, message: 'slow down', retryAfterSeconds: 3 }]]);
    const res = await post(`${server.url}/v1/messages`, anthropicBody(true));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.json()).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } });
  });

  it('keeps answering the `after` turn once the turns are used up', async () => {
    server.setScript({ turns: ['only turn'], after: [{ type: 'error', status: 400, message: 'gone' }] });
    expect((await post(`${server.url}/v1/messages`, anthropicBody(false))).status).toBe(200);
    expect((await post(`${server.url}/v1/messages`, anthropicBody(false))).status).toBe(400);
    expect((await post(`${server.url}/v1/messages`, anthropicBody(false))).status).toBe(400);
  });

  it('hangs without answering when told to, until closed', async () => {
    server.setScript([[{ type: 'hang' }]]);
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 300);
    await expect(
      fetch(`${server.url}/v1/messages`, { method: 'POST', body: JSON.stringify(anthropicBody(true)), signal: ac.signal }),
    ).rejects.toThrow();
    clearTimeout(timer);
    expect(server.mainRequests()).toHaveLength(1);
  });

  it('with headers: true, answers 200 with the streaming headers and then never sends the body', async () => {
    server.setScript([[{ type: 'hang', headers: true }]]);
    const res = await post(`${server.url}/v1/messages`, anthropicBody(true));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const first = await Promise.race([reader.read().then(() => 'data'), new Promise((r) => setTimeout(() => r('stalled'), 300))]);
    expect(first).toBe('stalled');
    void reader.cancel().catch(() => undefined);
  });

  it('stalls mid-stream after partial output', async () => {
    server.setScript([['partial', { type: 'hang' }]]);
    const res = await post(`${server.url}/v1/messages`, anthropicBody(true));
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('message_start');
    const next = await Promise.race([reader.read().then(() => 'data'), new Promise((r) => setTimeout(() => r('stalled'), 300))]);
    // message_start and the text block may arrive in one chunk; what matters is no message_stop.
    if (next === 'data') {
      const more = await Promise.race([reader.read().then(() => 'data'), new Promise((r) => setTimeout(() => r('stalled'), 300))]);
      expect(more).toBe('stalled');
    }
    void reader.cancel().catch(() => undefined);
  });

  it('answers model listings and token counts harmlessly', async () => {
    const models: any = await (await fetch(`${server.url}/v1/models`)).json();
    expect(models.data.length).toBeGreaterThan(0);
    const count: any = await (await post(`${server.url}/v1/messages/count_tokens`, { messages: [{ role: 'user', content: 'hello there' }] })).json();
    expect(count.input_tokens).toBeGreaterThan(0);
    expect((await fetch(`${server.url}/api/hello`, { method: 'HEAD' })).status).toBe(200);
    expect(server.mainRequests()).toHaveLength(0);
  });
});

describe('standalone entry (main.ts)', () => {
  const major = Number(process.versions.node.split('.')[0]);
  // Node >= 23.6 runs the .ts source directly; older Node needs the compiled dist/ file.
  (major >= 24 ? it : it.skip)('prints {"port"} and serves the script file given in argv', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cf-model-server-'));
    const scriptFile = join(dir, 'script.json');
    writeFileSync(scriptFile, JSON.stringify({ turns: [['from the file']] }));
    const child = spawn(process.execPath, [join(__dirname, 'main.ts'), scriptFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          if (out.includes('\n')) resolve(out.split('\n')[0]);
        });
        child.on('exit', (code) => reject(new Error(`main.ts exited with ${code}`)));
      });
      const { port } = JSON.parse(line);
      const body: any = await (
        await post(`http://127.0.0.1:${port}/v1/messages`, { max_tokens: 5, tools: [{ name: 'x' }], messages: [{ role: 'user', content: 'hi' }] })
      ).json();
      expect(body.content).toEqual([{ type: 'text', text: 'from the file' }]);
    } finally {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------
// Claude Code

describeCli('claude', () => {
  let server: ModelServer;
  let sb: Sandbox;
  let env: NodeJS.ProcessEnv;
  let sessionId: string;
  const claude = join(BIN, 'claude');
  const flags = ['--output-format', 'stream-json', '--verbose', '--permission-mode', 'bypassPermissions'];

  beforeAll(async () => {
    server = await startModelServer(WRITE_SCRIPT);
    sb = makeSandbox('claude');
    env = {
      ...sb.env,
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_API_KEY: 'scripted-key',
      // No telemetry, update checks or error reports (each would try the internet).
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_ERROR_REPORTING: '1',
      // As root, bypassPermissions/--dangerously-skip-permissions are refused unless the
      // CLI is told it runs in a sandbox.
      ...(IS_ROOT ? { IS_SANDBOX: '1' } : {}),
    };
  });
  afterAll(async () => {
    await server?.close();
    dropSandbox(sb);
  });

  it('edits the codebase with Write and Bash and reports init and result events', async () => {
    const r = await run(claude, ['-p', FIRST_PROMPT, ...flags], { cwd: sb.work, env });
    saveFixture('claude-write-file.jsonl', r.stdout);
    expectOk(r);
    const init = r.events.find((e) => e.type === 'system' && e.subtype === 'init');
    expect(init?.session_id).toEqual(expect.any(String));
    sessionId = init.session_id;
    const result = r.events[r.events.length - 1];
    expect(result).toMatchObject({ type: 'result', subtype: 'success', is_error: false, session_id: sessionId });
    expectWorkspaceEdited(sb.work);
    const tools = r.events.flatMap((e) => (e.type === 'assistant' ? e.message.content : [])).filter((c: any) => c.type === 'tool_use');
    expect(tools.map((t: any) => t.name)).toEqual(['Write', 'Bash']);
    expect(server.mainRequests()).toHaveLength(3);
    // Sessions are stored per working directory.
    const slug = sb.work.replace(/[^a-zA-Z0-9]/g, '-');
    expect(existsSync(join(sb.home, '.claude', 'projects', slug, `${sessionId}.jsonl`))).toBe(true);
  });

  it('resumes the session with the earlier conversation', async () => {
    expect(sessionId).toBeDefined();
    server.setScript(RESUME_SCRIPT);
    const mark = server.requests.length;
    const r = await run(claude, ['-p', RESUME_PROMPT, '--resume', sessionId, ...flags], { cwd: sb.work, env });
    saveFixture('claude-resume.jsonl', r.stdout);
    expectOk(r);
    expect(r.events[r.events.length - 1]).toMatchObject({ type: 'result', result: 'Earlier I created hello.txt and ran.txt.' });
    expect(r.events.find((e) => e.subtype === 'init').session_id).toBe(sessionId);
    expectResumedConversation(server, mark);
  });

  it('reports an API error as an error result and a non-zero exit', async () => {
    server.setScript(ERROR_SCRIPT);
    const r = await run(claude, ['-p', 'This request will fail.', ...flags], { cwd: sb.work, env });
    saveFixture('claude-api-error.jsonl', r.stdout);
    expect(r.code).not.toBe(0);
    const result = r.events.find((e) => e.type === 'result');
    expect(result).toMatchObject({ is_error: true });
    expect(JSON.stringify(result)).toContain('scripted failure');
  });
});

// ---------------------------------------------------------------------------------------
// OpenCode

describeCli('opencode', () => {
  let server: ModelServer;
  let sb: Sandbox;
  let env: NodeJS.ProcessEnv;
  let sessionId: string;
  const opencode = join(BIN, 'opencode');

  beforeAll(async () => {
    server = await startModelServer(WRITE_SCRIPT);
    sb = makeSandbox('opencode');
    writeFileSync(
      join(sb.work, 'opencode.json'),
      JSON.stringify(
        {
          $schema: 'https://opencode.ai/config.json',
          model: 'anthropic/claude-sonnet-4-5',
          provider: { anthropic: { options: { baseURL: `${server.url}/v1`, apiKey: 'scripted-key' } } },
          permission: { edit: 'allow', bash: 'allow', webfetch: 'allow', external_directory: 'allow' },
          autoupdate: false,
          share: 'disabled',
        },
        null,
        2,
      ),
    );
    env = {
      ...sb.env,
      OPENCODE_DISABLE_AUTOUPDATE: '1',
      OPENCODE_DISABLE_MODELS_FETCH: '1', // else it fetches the model catalogue from the internet
      OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
      OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
      OPENCODE_DISABLE_SHARE: '1',
      OPENCODE_DISABLE_CLAUDE_CODE: '1', // do not read ~/.claude prompts and skills
      // OpenCode installs @opencode-ai/plugin into its config dir in the background with
      // its embedded npm; offline mode makes that fail at once instead of using the network.
      npm_config_offline: 'true',
    };
  });
  afterAll(async () => {
    await server?.close();
    dropSandbox(sb);
  });

  it('edits the codebase with write and bash; the title call is a side call', async () => {
    const r = await run(opencode, ['run', '--format', 'json', '--', FIRST_PROMPT], { cwd: sb.work, env });
    saveFixture('opencode-write-file.jsonl', r.stdout);
    expectOk(r);
    sessionId = r.events[0]?.sessionID;
    expect(sessionId).toMatch(/^ses_/);
    expect(r.events.every((e) => e.sessionID === sessionId)).toBe(true);
    const tools = r.events.filter((e) => e.type === 'tool_use').map((e) => e.part);
    expect(tools.map((p) => [p.tool, p.state.status])).toEqual([
      ['write', 'completed'],
      ['bash', 'completed'],
    ]);
    expect(r.events[r.events.length - 1]).toMatchObject({ type: 'step_finish', part: { reason: 'stop' } });
    expectWorkspaceEdited(sb.work);
    expect(server.mainRequests()).toHaveLength(3);
    expect(server.requests.some((q) => q.kind === 'side' && /title/i.test(textOf(q.body)))).toBe(true);
  });

  it('resumes the session with -s and lists it', async () => {
    expect(sessionId).toBeDefined();
    server.setScript(RESUME_SCRIPT);
    const mark = server.requests.length;
    const r = await run(opencode, ['run', '--format', 'json', '-s', sessionId, '--', RESUME_PROMPT], { cwd: sb.work, env });
    saveFixture('opencode-resume.jsonl', r.stdout);
    expectOk(r);
    expect(r.events.every((e) => e.sessionID === sessionId)).toBe(true);
    expect(r.events.filter((e) => e.type === 'text').map((e) => e.part.text)).toEqual(['Earlier I created hello.txt and ran.txt.']);
    expectResumedConversation(server, mark);

    const list = await run(opencode, ['session', 'list', '--format', 'json'], { cwd: sb.work, env });
    saveFixture('opencode-session-list.json', list.stdout);
    expectOk(list);
    const sessions = JSON.parse(list.stdout);
    expect(sessions).toEqual(expect.arrayContaining([expect.objectContaining({ id: sessionId, directory: sb.work })]));
  });

  it('reports an API error as an error event', async () => {
    server.setScript(ERROR_SCRIPT);
    const r = await run(opencode, ['run', '--format', 'json', '--', 'This request will fail.'], { cwd: sb.work, env });
    saveFixture('opencode-api-error.jsonl', r.stdout);
    expect(r.code).not.toBe(0);
    const error = r.events.find((e) => e.type === 'error');
    expect(error).toBeDefined();
    expect(JSON.stringify(error)).toContain('scripted failure');
  });
});

// ---------------------------------------------------------------------------------------
// Codex

describeCli('codex', () => {
  let server: ModelServer;
  let sb: Sandbox;
  let env: NodeJS.ProcessEnv;
  let threadId: string;
  const codex = join(BIN, 'codex');
  // A model from Codex's bundled catalogue (`codex debug models`): with an unknown name it
  // warns and falls back to metadata without the apply_patch tool.
  const MODEL = 'gpt-5.5';

  beforeAll(async () => {
    server = await startModelServer(WRITE_SCRIPT);
    sb = makeSandbox('codex');
    const codexHome = join(sb.home, '.codex');
    mkdirSync(codexHome, { recursive: true });
    writeFileSync(
      join(codexHome, 'config.toml'),
      [
        `model = "${MODEL}"`,
        'model_provider = "scripted"',
        'approval_policy = "never"',
        'sandbox_mode = "danger-full-access"',
        '',
        '[model_providers.scripted]',
        'name = "Scripted model server"',
        `base_url = "${server.url}/v1"`,
        'env_key = "MODEL_SERVER_API_KEY"',
        'wire_api = "responses"',
        '',
        '[features]',
        '# plugin sync resolves github.com at start',
        'plugins = false',
        'remote_plugin = false',
        '',
      ].join('\n'),
    );
    env = { ...sb.env, CODEX_HOME: codexHome, MODEL_SERVER_API_KEY: 'scripted-key' };
  });
  afterAll(async () => {
    await server?.close();
    dropSandbox(sb);
  });

  it('edits the codebase with apply_patch and exec_command', async () => {
    const r = await run(codex, ['exec', '--json', '--skip-git-repo-check', '-m', MODEL, FIRST_PROMPT], { cwd: sb.work, env });
    saveFixture('codex-write-file.jsonl', r.stdout);
    expectOk(r);
    expect(r.events[0]).toMatchObject({ type: 'thread.started', thread_id: expect.any(String) });
    threadId = r.events[0].thread_id;
    const items = r.events.filter((e) => e.type === 'item.completed').map((e) => e.item);
    expect(items.map((i) => i.type)).toEqual(['agent_message', 'file_change', 'command_execution', 'agent_message']);
    expect(r.events[r.events.length - 1]).toMatchObject({ type: 'turn.completed', usage: { input_tokens: expect.any(Number) } });
    expectWorkspaceEdited(sb.work);
    expect(server.mainRequests()).toHaveLength(3);
    expect(server.mainRequests()[0].tools).toEqual(expect.arrayContaining(['apply_patch', 'exec_command']));
    const rollouts = findFiles(join(sb.home, '.codex', 'sessions'), (n) => n.startsWith('rollout-') && n.endsWith(`${threadId}.jsonl`));
    expect(rollouts).toHaveLength(1);
    expect(rollouts[0]).toMatch(/sessions\/\d{4}\/\d{2}\/\d{2}\/rollout-/);
  });

  it('resumes the thread with `exec resume`', async () => {
    expect(threadId).toBeDefined();
    server.setScript(RESUME_SCRIPT);
    const mark = server.requests.length;
    const r = await run(codex, ['exec', '--json', '--skip-git-repo-check', 'resume', threadId, RESUME_PROMPT], { cwd: sb.work, env });
    saveFixture('codex-resume.jsonl', r.stdout);
    expectOk(r);
    expect(r.events[0]).toMatchObject({ type: 'thread.started', thread_id: threadId });
    const messages = r.events.filter((e) => e.type === 'item.completed' && e.item.type === 'agent_message');
    expect(messages.map((e) => e.item.text)).toEqual(['Earlier I created hello.txt and ran.txt.']);
    expectResumedConversation(server, mark);
  });

  it('reports an API error as turn.failed and a non-zero exit', async () => {
    server.setScript(ERROR_SCRIPT);
    const r = await run(codex, ['exec', '--json', '--skip-git-repo-check', '-m', MODEL, 'This request will fail.'], { cwd: sb.work, env });
    saveFixture('codex-api-error.jsonl', r.stdout);
    expect(r.code).not.toBe(0);
    expect(r.events.some((e) => e.type === 'turn.failed' || e.type === 'error')).toBe(true);
    expect(r.stdout).toContain('scripted failure');
  });
});

// ---------------------------------------------------------------------------------------
// Gemini CLI

describeCli('gemini', () => {
  let server: ModelServer;
  let sb: Sandbox;
  let env: NodeJS.ProcessEnv;
  let sessionId: string;
  const gemini = join(BIN, 'gemini');
  const flags = ['--output-format', 'stream-json', '--approval-mode', 'yolo'];

  beforeAll(async () => {
    server = await startModelServer(WRITE_SCRIPT);
    sb = makeSandbox('gemini');
    mkdirSync(join(sb.home, '.gemini'), { recursive: true });
    writeFileSync(
      join(sb.home, '.gemini', 'settings.json'),
      JSON.stringify(
        {
          // GOOGLE_GEMINI_BASE_URL alone selects the "gateway" auth type, which 0.61's
          // validation rejects ("Invalid auth method selected."); with the API-key type the
          // SDK still takes its base URL from GOOGLE_GEMINI_BASE_URL.
          security: { auth: { selectedType: 'gemini-api-key' } },
          privacy: { usageStatisticsEnabled: false },
          telemetry: { enabled: false },
          general: { disableAutoUpdate: true, disableUpdateNag: true },
        },
        null,
        2,
      ),
    );
    env = {
      ...sb.env,
      GEMINI_API_KEY: 'scripted-key',
      GOOGLE_GEMINI_BASE_URL: server.url,
      // Untrusted folders silently downgrade --approval-mode yolo to "default" (no tools).
      GEMINI_CLI_TRUST_WORKSPACE: 'true',
    };
  });
  afterAll(async () => {
    await server?.close();
    dropSandbox(sb);
  });

  it('edits the codebase with write_file and run_shell_command', async () => {
    const r = await run(gemini, ['-p', FIRST_PROMPT, ...flags], { cwd: sb.work, env });
    saveFixture('gemini-write-file.jsonl', r.stdout);
    expectOk(r);
    expect(r.events[0]).toMatchObject({ type: 'init', session_id: expect.any(String) });
    sessionId = r.events[0].session_id;
    const tools = r.events.filter((e) => e.type === 'tool_use').map((e) => e.tool_name);
    expect(tools).toEqual(['write_file', 'run_shell_command']);
    expect(r.events.filter((e) => e.type === 'tool_result').map((e) => e.status)).toEqual(['success', 'success']);
    expect(r.events[r.events.length - 1]).toMatchObject({ type: 'result', status: 'success' });
    expectWorkspaceEdited(sb.work);
    expect(server.mainRequests()).toHaveLength(3);
    // The model router's classifier call is a side call.
    expect(server.requests.some((q) => q.kind === 'side' && q.body?.generationConfig?.responseJsonSchema)).toBe(true);
    const chats = findFiles(join(sb.home, '.gemini', 'tmp', basename(sb.work), 'chats'), (n) =>
      n.includes(sessionId.slice(0, 8)),
    );
    expect(chats).toHaveLength(1);
  });

  it('resumes the session with --resume <id>', async () => {
    expect(sessionId).toBeDefined();
    server.setScript(RESUME_SCRIPT);
    const mark = server.requests.length;
    const r = await run(gemini, ['-p', RESUME_PROMPT, '--resume', sessionId, ...flags], { cwd: sb.work, env });
    saveFixture('gemini-resume.jsonl', r.stdout);
    expectOk(r);
    expect(r.events[0]).toMatchObject({ type: 'init', session_id: sessionId });
    const text = r.events.filter((e) => e.type === 'message' && e.role === 'assistant').map((e) => e.content).join('');
    expect(text).toBe('Earlier I created hello.txt and ran.txt.');
    expectResumedConversation(server, mark);
  });

  it('reports an API error as an error result and a non-zero exit', async () => {
    server.setScript(ERROR_SCRIPT);
    const r = await run(gemini, ['-p', 'This request will fail.', ...flags], { cwd: sb.work, env });
    saveFixture('gemini-api-error.jsonl', r.stdout);
    expect(r.code).not.toBe(0);
    expect(`${r.stdout}\n${r.stderr}`).toContain('scripted failure');
  });
});
