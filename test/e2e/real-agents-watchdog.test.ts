/**
 * Stopping real agent CLIs: the real API and worker processes run OpenCode, Claude Code, Codex
 * and Gemini CLI against the scripted model server, whose every model call hangs (the request
 * is accepted and never answered, or answered with headers and no body, as a stuck provider
 * does). A task with a small
 * metadata.idle_timeout_s fails `idle_timeout`; a task cancelled through the API ends
 * `cancelled`; a task with a small metadata.timeout_s fails `timeout`. Each time the CLI's
 * whole process group is gone when the task ends, and the CLI made one model call (a hanging
 * connection is not an error it retries).
 *
 * Skipped, with a message, for a CLI missing from the cache.
 */
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { startModelServer, type ModelServer } from '../model-server/model-server';
import { agentWorkerEnv, describeWithCli, gitCodebase, writeCodexConfig, writeGeminiSettings, writeOpencodeConfig } from './support/agents';
import { Fleet } from './support/fleet';
import { type AppProcess, eventually, groupMembers, processesIn, signalZero } from './support/processes';

jest.setTimeout(120_000);

const CLIS = [
  { tool: 'opencode', exe: 'opencode', codebase: 'oc-hang' },
  { tool: 'claude_code', exe: 'claude', codebase: 'cc-hang' },
  { tool: 'codex', exe: 'codex', codebase: 'cx-hang' },
  { tool: 'gemini', exe: 'gemini', codebase: 'gm-hang' },
];

/** Every main model call is accepted and never answered; side calls (titles, routing) still are. */
const HANG = { turns: [], after: [{ type: 'hang' as const }] };
/** Every main model call gets status 200 and streaming headers, then not one byte of the body. */
const HANG_AFTER_HEADERS = { turns: [], after: [{ type: 'hang' as const, headers: true }] };
/**
 * Both limits count from the spawn, and OpenCode prints nothing until the model answers: they
 * must outlast the CLI's start-up (5 s did not, on a busy 2-core machine).
 */
const IDLE_S = 15;
const TIMEOUT_S = 15;

describe('real agent CLIs stopped by watchdogs and cancel (real api + worker processes, hanging model)', () => {
  const fleet = new Fleet(11);
  let server: ModelServer;
  let worker: AppProcess;
  const codebaseIds: Record<string, string> = {};
  const codebaseDirs: Record<string, string> = {};

  beforeAll(async () => {
    server = await startModelServer(HANG);
    // No session sync: its `opencode session list` runs in the codebase directories, and these
    // tests assert that nothing is left running there once the agent is stopped.
    await fleet.start({ SESSION_SYNC_INTERVAL_S: '0' });
    for (const cli of CLIS) {
      const dir = gitCodebase(realpathSync(fleet.codebaseDir(cli.codebase)));
      if (cli.tool === 'opencode') writeOpencodeConfig(dir, server.url);
      codebaseDirs[cli.tool] = dir;
    }
    const home = join(fleet.dir, 'home', 'watchdog-worker');
    writeCodexConfig(home, server.url);
    writeGeminiSettings(home);
    worker = await fleet.startWorker(
      'watchdog-worker',
      // The worker's own idle limit is long: the tasks below bring their own.
      { codebases: CLIS.map((c) => ({ name: c.codebase, path: codebaseDirs[c.tool] })), max_concurrent: 4, idle_timeout_s: 1800, cancel_grace_s: 3 },
      agentWorkerEnv(server.url),
    );
    const { codebases } = await fleet.client.ok('GET', '/v1/agent/codebases?worker_id=watchdog-worker');
    for (const cli of CLIS) codebaseIds[cli.tool] = codebases.find((c: any) => c.path === codebaseDirs[cli.tool]).id;
  });

  afterAll(async () => {
    await fleet.stop();
    await server?.close();
  });

  it('refuses a bad metadata.idle_timeout_s with a 400 naming the field', async () => {
    const res = await fleet.client.call('POST', `/v1/agent/codebases/${codebaseIds.claude_code}/tasks`, {
      title: 'bad idle',
      prompt: 'p',
      tool: 'claude_code',
      metadata: { idle_timeout_s: -1 },
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('metadata.idle_timeout_s must be an integer between 0 and 604800');
  });

  const outputOf = async (taskId: string): Promise<string> =>
    (await fleet.client.ok('GET', `/v1/agent/tasks/${taskId}/output`)).chunks.map((c: any) => c.data).join('');

  for (const cli of CLIS) {
    describeWithCli(cli.exe, cli.tool, () => {
      /** Creates a task whose model call hangs; resolves once the CLI is waiting on the model. */
      async function startHangingTask(title: string, metadata: Record<string, unknown> = {}, script = HANG) {
        server.setScript(script);
        const mark = server.requests.length;
        const created = await fleet.client.ok('POST', `/v1/agent/codebases/${codebaseIds[cli.tool]}/tasks`, {
          title,
          prompt: `${title}: say hello.`,
          tool: cli.tool,
          metadata,
        });
        const line = await worker.waitForLog(new RegExp(`"task_id":"${created.id}".*"msg":"agent process started"|"msg":"agent process started".*"task_id":"${created.id}"`), 60_000);
        const pid = Number(JSON.parse(line).pid);
        expect(pid).toBeGreaterThan(1);
        const called = await eventually(`${cli.tool} to call the model`, async () => {
          if (server.requests.slice(mark).some((r) => r.kind === 'main')) return true;
          const t = await fleet.client.ok('GET', `/v1/agent/tasks/${created.id}`);
          return ['completed', 'failed', 'cancelled'].includes(t.status) ? false : undefined;
        }, 60_000);
        if (!called) {
          const t = await fleet.client.ok('GET', `/v1/agent/tasks/${created.id}`);
          throw new Error(`the task ended before ${cli.tool} called the model (start-up longer than the limit?): ${JSON.stringify(t)}\n--- output ---\n${await outputOf(created.id)}`);
        }
        return { id: created.id as string, pid, mark };
      }

      /** The CLI, everything it started, and anything left in its codebase are gone; it called the model once. */
      function expectStopped(pid: number, mark: number): void {
        expect(signalZero(pid)).toBe('ESRCH');
        expect(signalZero(-pid)).toBe('ESRCH');
        expect(groupMembers(pid)).toEqual([]);
        expect(processesIn(codebaseDirs[cli.tool])).toEqual([]);
        expect(server.requests.slice(mark).filter((r) => r.kind === 'main')).toHaveLength(1);
      }

      it(`a task with metadata.idle_timeout_s ${IDLE_S} fails idle_timeout while the model hangs, and the CLI's process group is gone`, async () => {
        const { id, pid, mark } = await startHangingTask('idle', { idle_timeout_s: IDLE_S });
        const task = await fleet.waitForTask(id, ['completed', 'failed', 'cancelled'], 60_000);
        expect({ status: task.status, failure_reason: task.failure_reason, error: task.error }).toEqual({
          status: 'failed',
          failure_reason: 'idle_timeout',
          error: `no output for ${IDLE_S} s; the agent was stopped`,
        });
        expectStopped(pid, mark);
        expect(await outputOf(id)).toContain(`[codefleet] no output for ${IDLE_S} s; the agent was stopped`);
      });

      it('a running task cancelled through the API ends cancelled, and the CLI\'s process group is gone', async () => {
        const { id, pid, mark } = await startHangingTask('cancel');
        expect((await fleet.client.ok('GET', `/v1/agent/tasks/${id}`)).status).toBe('running');
        const res = await fleet.client.call('POST', `/v1/agent/tasks/${id}/cancel`);
        expect(res.status).toBe(202);
        const task = await fleet.waitForTask(id, ['completed', 'failed', 'cancelled'], 30_000);
        expect({ status: task.status, failure_reason: task.failure_reason }).toEqual({ status: 'cancelled', failure_reason: 'cancelled' });
        expectStopped(pid, mark);
        expect(await outputOf(id)).toContain('[codefleet] cancelled on request');
      });

      it(`a task with metadata.timeout_s ${TIMEOUT_S} fails timeout while the model's answer stalls after its headers, and the CLI's process group is gone`, async () => {
        const { id, pid, mark } = await startHangingTask('timeout', { timeout_s: TIMEOUT_S }, HANG_AFTER_HEADERS);
        const task = await fleet.waitForTask(id, ['completed', 'failed', 'cancelled'], 60_000);
        expect({ status: task.status, failure_reason: task.failure_reason, error: task.error }).toEqual({
          status: 'failed',
          failure_reason: 'timeout',
          error: `timed out after ${TIMEOUT_S} s`,
        });
        expectStopped(pid, mark);
      });
    });
  }
});
