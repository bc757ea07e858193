import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { parseCliArgs } from '../config/cli-args';
import { loadWorkerConfig } from '../config/config-loader';
import { AiderAdapter } from './aider.adapter';
import { ClaudeCodeAdapter } from './claude-code.adapter';
import { CodexAdapter } from './codex.adapter';
import { GeminiAdapter } from './gemini.adapter';
import { ToolCatalog } from './tool-catalog';

const root = mkdtempSync(join(tmpdir(), 'cf-clis-'));
const exe = (dir: string, name: string): string => {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\necho 9.9.9\n');
  chmodSync(path, 0o755);
  return path;
};
const pathDir = join(root, 'path-bin');
const claudeOnPath = exe(pathDir, 'claude');
const claudeElsewhere = exe(join(root, 'opt'), 'claude-custom');

function catalog(file: Record<string, unknown>, env: NodeJS.ProcessEnv) {
  const path = join(root, `c-${Math.random()}.json`);
  writeFileSync(path, JSON.stringify({ server_url: 'http://x', ...file }));
  const { config } = loadWorkerConfig({ cli: parseCliArgs(['-c', path]), env: {} });
  return new ToolCatalog(config, async (bin) => `v ${bin}`, pino({ level: 'silent' }), { HOME: join(root, 'home'), ...env });
}

describe('built-in agent CLIs in the ToolCatalog', () => {
  it('finds claude on PATH as claude_code and probes its version', async () => {
    const tools = catalog({}, { PATH: pathDir });
    expect(tools.names()).toEqual(['claude_code']);
    expect(tools.resolve('claude_code')).toBeInstanceOf(ClaudeCodeAdapter);
    expect(await tools.agents()).toEqual([{ name: 'claude_code', bin: claudeOnPath, version: `v ${claudeOnPath}` }]);
  });

  it('honours tools.<name>.bin over PATH, and a bad bin leaves the tool unavailable', () => {
    const tools = catalog({ tools: { claude_code: { bin: claudeElsewhere } } }, { PATH: pathDir });
    const adapter = tools.resolve('claude_code') as ClaudeCodeAdapter;
    expect(adapter.build({ prompt: 'p', agent_type: 'build' } as never, { codebasePath: '/x', workerId: 'w' }).command).toBe(claudeElsewhere);
    const bad = catalog({ tools: { claude_code: { bin: join(root, 'missing') } } }, { PATH: pathDir });
    expect(bad.resolve('claude_code')).toEqual(expect.stringContaining('tool "claude_code" is not installed'));
  });

  it('says where it looked when the CLI is missing', () => {
    const tools = catalog({}, { PATH: '/nonexistent' });
    expect(tools.resolve('claude_code')).toEqual(expect.stringContaining('looked for claude on PATH; set tools.claude_code.bin'));
  });

  it('a command tool of the same name replaces the built-in adapter', () => {
    const tools = catalog({ tools: { claude_code: { command: '/bin/true' } } }, { PATH: pathDir });
    expect(tools.resolve('claude_code')).not.toBeInstanceOf(ClaudeCodeAdapter);
  });

  it('finds codex and gemini; gemini (stateful parser) gets a fresh adapter per task', () => {
    const dir = join(root, 'more-bin');
    exe(dir, 'codex');
    exe(dir, 'gemini');
    const tools = catalog({}, { PATH: dir });
    expect(tools.names()).toEqual(['codex', 'gemini']);
    expect(tools.resolve('codex')).toBeInstanceOf(CodexAdapter);
    expect(tools.resolve('codex')).toBe(tools.resolve('codex'));
    expect(tools.resolve('gemini')).toBeInstanceOf(GeminiAdapter);
    expect(tools.resolve('gemini')).not.toBe(tools.resolve('gemini'));
  });

  it('finds aider on PATH (or tools.aider.bin) with a fresh adapter per task, and says where it looked when missing', async () => {
    const dir = join(root, 'aider-bin');
    const onPath = exe(dir, 'aider');
    const tools = catalog({}, { PATH: dir });
    expect(tools.names()).toEqual(['aider']);
    expect(tools.resolve('aider')).toBeInstanceOf(AiderAdapter);
    expect(tools.resolve('aider')).not.toBe(tools.resolve('aider'));
    expect(await tools.agents()).toEqual([{ name: 'aider', bin: onPath, version: `v ${onPath}` }]);
    const elsewhere = exe(join(root, 'venv', 'bin'), 'aider');
    const configured = catalog({ tools: { aider: { bin: elsewhere } } }, { PATH: dir });
    const adapter = configured.resolve('aider') as AiderAdapter;
    expect(adapter.build({ task_id: 't', prompt: 'p', agent_type: 'build', resume_session_id: null } as never, { codebasePath: '/x', workerId: 'w' }).command).toBe(elsewhere);
    expect(catalog({}, { PATH: '/nonexistent' }).resolve('aider')).toEqual(expect.stringContaining('looked for aider on PATH; set tools.aider.bin'));
  });
});
