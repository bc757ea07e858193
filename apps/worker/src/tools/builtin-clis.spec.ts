import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { parseCliArgs } from '../config/cli-args';
import { loadWorkerConfig } from '../config/config-loader';
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
});
