/**
 * The real agent CLIs end to end: the real API and worker processes run OpenCode, Claude
 * Code, Codex and Gemini CLI (installed by scripts/install-agent-clis.sh into the CLI cache),
 * which talk only to the scripted model server on loopback. Each CLI writes a file in a git codebase, its output
 * streams, its session id is stored on the task while it runs, and a follow-up task with
 * metadata.resume_session_id makes it send the earlier conversation to the model; the worker
 * syncs the session from the CLI's own store to the sessions API, whose resume route continues
 * it; an API error fails the task.
 *
 * Skipped, with a message, for a CLI missing from the cache.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { startModelServer, textOf, type ModelServer } from '../model-server/model-server';
import { agentWorkerEnv, cliInstalled, describeWithCli, gitCodebase, writeCodexConfig, writeGeminiSettings, writeOpencodeConfig } from './support/agents';
import { Fleet } from './support/fleet';
import { eventually } from './support/processes';

jest.setTimeout(180_000);

const HELLO = 'hello from the scripted model\n';
const RESUME_PROMPT = 'What did you do in this session?';

interface Cli {
  tool: string;
  exe: string;
  /** Codebase directory name on the worker. */
  codebase: string;
  sessionPattern: RegExp;
  /** How the CLI shows its file-writing tool in the task output. */
  writeTool: string;
}

const CLIS: Cli[] = [
  { tool: 'opencode', exe: 'opencode', codebase: 'oc-app', sessionPattern: /^ses_/, writeTool: '▸ write' },
  { tool: 'claude_code', exe: 'claude', codebase: 'cc-app', sessionPattern: /^[0-9a-f-]{36}$/, writeTool: '▸ Write' },
  { tool: 'codex', exe: 'codex', codebase: 'cx-app', sessionPattern: /^[0-9a-f-]{36}$/, writeTool: '▸ apply_patch' },
  { tool: 'gemini', exe: 'gemini', codebase: 'gm-app', sessionPattern: /^[0-9a-f-]{36}$/, writeTool: '▸ write_file' },
];
const installed = CLIS.filter((c) => cliInstalled(c.exe));

describe('real agent CLIs (real api + worker processes, scripted model server)', () => {
  const fleet = new Fleet(10);
  let server: ModelServer;
  const codebaseIds: Record<string, string> = {};
  const codebaseDirs: Record<string, string> = {};

  beforeAll(async () => {
    server = await startModelServer({ turns: [] });
    await fleet.start();
    for (const cli of installed) {
      const dir = gitCodebase(realpathSync(fleet.codebaseDir(cli.codebase)));
      if (cli.tool === 'opencode') writeOpencodeConfig(dir, server.url);
      codebaseDirs[cli.tool] = dir;
    }
    // The worker's HOME (Fleet makes it per worker): the CLIs' operator config.
    const home = join(fleet.dir, 'home', 'agents-worker');
    writeCodexConfig(home, server.url);
    writeGeminiSettings(home);
    await fleet.startWorker(
      'agents-worker',
      { codebases: installed.map((c) => ({ name: c.codebase, path: codebaseDirs[c.tool] })), max_concurrent: 1 },
      agentWorkerEnv(server.url),
    );
    const { codebases } = await fleet.client.ok('GET', '/v1/agent/codebases?worker_id=agents-worker');
    for (const cli of installed) codebaseIds[cli.tool] = codebases.find((c: any) => c.path === codebaseDirs[cli.tool]).id;
  });

  afterAll(async () => {
    await fleet.stop();
    await server?.close();
  });

  const outputOf = async (taskId: string): Promise<string> =>
    (await fleet.client.ok('GET', `/v1/agent/tasks/${taskId}/output`)).chunks.map((c: any) => c.data).join('');

  for (const cli of CLIS) {
    describeWithCli(cli.exe, `${cli.tool}`, () => {
      const firstPrompt = `Create hello.txt saying hello (${cli.tool} e2e).`;
      let sessionId: string;

      it('runs a task that makes the CLI write a file; output streams and the session id is stored while it runs', async () => {
        server.setScript({
          turns: [
            ['I will create hello.txt.', { type: 'write_file', path: 'hello.txt', content: HELLO }],
            // Time to see the task running with its session id already stored.
            [{ type: 'delay', ms: 2500 }, 'Created hello.txt.'],
          ],
        });
        const mark = server.requests.length;
        const created = await fleet.client.ok('POST', `/v1/agent/codebases/${codebaseIds[cli.tool]}/tasks`, {
          title: `write with ${cli.tool}`,
          prompt: firstPrompt,
          tool: cli.tool,
        });
        const running = await eventually(
          'the session id on the running task',
          async () => {
            const t = await fleet.client.ok('GET', `/v1/agent/tasks/${created.id}`);
            if (t.status !== 'running' && t.status !== 'pending') throw new Error(`task ended before its session id was seen: ${JSON.stringify(t)}`);
            return t.status === 'running' && t.session_id ? t : undefined;
          },
          90_000,
          100,
        ).catch(async (err) => {
          throw new Error(`${err}\n--- output ---\n${await outputOf(created.id).catch(() => '')}`);
        });
        expect(running.session_id).toMatch(cli.sessionPattern);

        const task = await fleet.waitForTask(created.id, ['completed', 'failed', 'cancelled'], 90_000);
        const output = await outputOf(created.id);
        expect({ status: task.status, error: task.error, output }).toMatchObject({ status: 'completed', error: null });
        expect(task).toMatchObject({ worker_id: 'agents-worker', session_id: running.session_id, failure_reason: null, result: 'Created hello.txt.' });
        expect(readFileSync(join(codebaseDirs[cli.tool], 'hello.txt'), 'utf8')).toBe(HELLO);
        expect(output).toContain('I will create hello.txt.');
        expect(output).toContain(cli.writeTool);
        expect(output).toContain('Created hello.txt.');
        const main = server.requests.slice(mark).filter((r) => r.kind === 'main');
        expect(main.length).toBeGreaterThanOrEqual(2);
        expect(textOf(main[0].body)).toContain(firstPrompt);
        sessionId = task.session_id;
      });

      it('a follow-up task with metadata.resume_session_id resumes the session with the earlier conversation', async () => {
        expect(sessionId).toBeDefined();
        server.setScript({ turns: [['Earlier I created hello.txt.']] });
        const mark = server.requests.length;
        const created = await fleet.client.ok('POST', `/v1/agent/codebases/${codebaseIds[cli.tool]}/tasks`, {
          title: `resume with ${cli.tool}`,
          prompt: RESUME_PROMPT,
          tool: cli.tool,
          metadata: { resume_session_id: sessionId },
        });
        const task = await fleet.waitForTask(created.id, ['completed', 'failed', 'cancelled'], 90_000);
        const output = await outputOf(created.id);
        expect({ status: task.status, error: task.error, output }).toMatchObject({ status: 'completed', error: null });
        expect(task).toMatchObject({ session_id: sessionId, result: 'Earlier I created hello.txt.' });
        const main = server.requests.slice(mark).filter((r) => r.kind === 'main');
        expect(main.length).toBeGreaterThanOrEqual(1);
        const sent = textOf(main[0].body);
        expect(sent).toContain(firstPrompt);
        expect(sent).toContain('I will create hello.txt.');
        expect(sent).toContain(RESUME_PROMPT);
      });

      it('the worker syncs the session from the CLI store to the sessions API, and its resume route continues it', async () => {
        expect(sessionId).toBeDefined();
        const sessions = `/v1/agent/codebases/${codebaseIds[cli.tool]}/sessions`;
        // Messages come only from the worker's read of the CLI's own store (a finished task
        // alone records the session without messages).
        const synced = await eventually(
          'the session with its messages, synced by the worker',
          async () => {
            // Until the sync after the resumed task: a sync may also catch it half-way.
            const { status, body } = await fleet.client.call('GET', `${sessions}/${sessionId}`);
            const has = (role: string, text: string) => body.messages?.some((m: any) => m.role === role && m.text.includes(text));
            return status === 200 && has('user', RESUME_PROMPT) && has('assistant', 'Earlier I created hello.txt.') ? body : undefined;
          },
          60_000,
          250,
        );
        expect(synced).toMatchObject({ id: sessionId, agent_type: cli.tool, worker_id: 'agents-worker' });
        expect(synced.messages.filter((m: any) => m.role === 'user' && m.text.includes(firstPrompt))).toHaveLength(1);
        expect(Object.keys(synced.tool_usage).length).toBeGreaterThanOrEqual(1);
        const listed = await fleet.client.ok('GET', `${sessions}?q=${encodeURIComponent('hello.txt')}`);
        expect(listed.sessions.map((s: any) => s.id)).toContain(sessionId);

        server.setScript({ turns: [['Resumed through the sessions API.']] });
        const mark = server.requests.length;
        const created = await fleet.client.ok('POST', `${sessions}/${sessionId}/resume`, { prompt: 'And now?' });
        expect(created).toMatchObject({ tool: cli.tool, metadata: { resume_session_id: sessionId } });
        const task = await fleet.waitForTask(created.id, ['completed', 'failed', 'cancelled'], 90_000);
        expect({ status: task.status, error: task.error }).toMatchObject({ status: 'completed', error: null });
        expect(task).toMatchObject({ session_id: sessionId, result: 'Resumed through the sessions API.' });
        const main = server.requests.slice(mark).filter((r) => r.kind === 'main');
        expect(textOf(main[0].body)).toContain(RESUME_PROMPT);
      });

      it('an API error fails the task with agent_exit_nonzero and shows the API message in the output', async () => {
        // CLIs retry errors: every request fails, not only the first.
        server.setScript({ turns: [], after: [{ type: 'error', status: 400, message: 'scripted failure: bad request' }] });
        const created = await fleet.client.ok('POST', `/v1/agent/codebases/${codebaseIds[cli.tool]}/tasks`, {
          title: `error with ${cli.tool}`,
          prompt: 'This request will fail.',
          tool: cli.tool,
        });
        const task = await fleet.waitForTask(created.id, ['completed', 'failed', 'cancelled'], 90_000);
        const output = await outputOf(created.id);
        expect({ status: task.status, failure_reason: task.failure_reason, output }).toMatchObject({ status: 'failed', failure_reason: 'agent_exit_nonzero' });
        expect(task.exit_code).not.toBe(0);
        expect(output).toMatch(/\[error\] .*scripted failure: bad request/);
        // The task's error names the API's message, not stray start-up noise on stderr.
        expect(task.error).toMatch(/scripted failure: bad request/);
      });
    });
  }
});
