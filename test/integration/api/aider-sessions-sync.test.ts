/**
 * Aider conversations as the worker reports them: the worker's AiderSessionReader reads the
 * per-session chat history files in a codebase, the API stores them through the real session
 * sync route, and resuming one makes an aider task that continues that history file.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { AiderSessionReader } from '../../../apps/worker/src/sessions/aider-sessions';
import { aiderHistoryFile } from '../../../apps/worker/src/tools/aider.adapter';
import { startTestApi, type TestApi } from '../../support/api-harness';
import { FakeWorker } from '../../support/fake-worker';

// What Aider (aider/io.py) appends for one run of `aider --message ... --chat-history-file F`.
const run = (at: string, prompt: string, reply: string) =>
  [
    '',
    `# aider chat started at ${at}`,
    '',
    '> Aider v0.86.1  ',
    '> Main model: anthropic/claude-sonnet-4-20250514 with diff edit format, infinite output  ',
    '',
    `#### ${prompt}  `,
    '> Tokens: 2.5k sent, 95 received. Cost: $0.0089 message, $0.0089 session.  ',
    '',
    reply,
    '',
    '> Applied edit to hello.txt  ',
    '> Commit 1a2b3c4 feat: Add hello.txt  ',
    '',
  ].join('\n');

describe('aider sessions through the session sync API', () => {
  let api: TestApi;
  let worker: FakeWorker;
  let codebaseId: string;
  let dir: string;
  const reader = new AiderSessionReader(pino({ level: 'silent' }));

  beforeAll(async () => {
    api = await startTestApi();
    dir = mkdtempSync(join(tmpdir(), 'cf-aider-sync-'));
    worker = new FakeWorker(api, 'aider-worker', ['aider']);
    await worker.register();
    codebaseId = (await worker.addCodebase(dir)).id;
  });
  afterAll(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const syncFromDisk = async () =>
    (await api.post(`/v1/agent/codebases/${codebaseId}/sessions/sync`, { worker_id: worker.id, sessions: await reader.list(dir) }).expect(200)).body;
  const detail = async (sid: string) => (await api.get(`/v1/agent/codebases/${codebaseId}/sessions/${sid}`).expect(200)).body;

  it('stores a conversation read from its history file, and the messages a later run adds', async () => {
    const file = join(dir, aiderHistoryFile('aider-task_sync1'));
    writeFileSync(file, run('2025-06-01 10:00:05', 'Create hello.txt with a greeting', 'I will create hello.txt.'));
    expect(await syncFromDisk()).toMatchObject({ synced: 1, rejected: [] });
    const first = await detail('aider-task_sync1');
    expect(first).toMatchObject({ agent_type: 'aider', title: 'Create hello.txt with a greeting', message_count: 5, tool_usage: { edit: 1 } });
    expect(first.messages.map((m: { role: string }) => m.role)).toEqual(['tool', 'user', 'tool', 'assistant', 'tool']);

    appendFileSync(file, run('2025-06-01 10:07:40', 'Say goodbye too', 'Added a goodbye line.'));
    await syncFromDisk();
    const second = await detail('aider-task_sync1');
    expect(second.message_count).toBe(10);
    expect(second.messages.filter((m: { role: string }) => m.role === 'user').map((m: { text: string }) => m.text)).toEqual([
      'Create hello.txt with a greeting',
      'Say goodbye too',
    ]);
    // Searching message text finds the session.
    const found = (await api.get(`/v1/agent/codebases/${codebaseId}/sessions?q=goodbye`).expect(200)).body;
    expect(JSON.stringify(found)).toContain('aider-task_sync1');
  });

  it('resumes a synced aider session as an aider task carrying the session id', async () => {
    const res = await api.post(`/v1/agent/codebases/${codebaseId}/sessions/aider-task_sync1/resume`, { prompt: 'And a third line' }).expect(201);
    expect(res.body).toMatchObject({ tool: 'aider', metadata: { resume_session_id: 'aider-task_sync1' } });
  });
});
