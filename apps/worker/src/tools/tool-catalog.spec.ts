import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { parseCliArgs } from '../config/cli-args';
import { loadWorkerConfig } from '../config/config-loader';
import { CommandAdapter } from './command.adapter';
import { OpencodeAdapter } from './opencode.adapter';
import { ToolCatalog } from './tool-catalog';

const home = mkdtempSync(join(tmpdir(), 'cf-home-'));
mkdirSync(join(home, '.opencode', 'bin'), { recursive: true });
const opencode = join(home, '.opencode', 'bin', 'opencode');
writeFileSync(opencode, '#!/bin/sh\necho 1.2.3\n');
chmodSync(opencode, 0o755);

function catalog(file: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  const path = join(home, `c-${Math.random()}.json`);
  writeFileSync(path, JSON.stringify({ server_url: 'http://x', ...file }));
  const { config } = loadWorkerConfig({ cli: parseCliArgs(['-c', path]), env });
  const probe = jest.fn(async (bin: string) => `version of ${bin}`);
  return { tools: new ToolCatalog(config, probe, pino({ level: 'silent' }), { HOME: home, PATH: '/nonexistent' }), probe };
}

describe('ToolCatalog', () => {
  it('finds opencode in ~/.opencode/bin and probes its version once, in parallel with others', async () => {
    const { tools, probe } = catalog({ tools: { mine: { command: '/bin/true' } } });
    expect(tools.names()).toEqual(['opencode', 'mine']);
    expect(tools.resolve('opencode')).toBeInstanceOf(OpencodeAdapter);
    expect(tools.resolve('mine')).toBeInstanceOf(CommandAdapter);
    const agents = await tools.agents();
    await tools.agents();
    expect(agents).toEqual([
      { name: 'opencode', bin: opencode, version: `version of ${opencode}` },
      { name: 'mine', bin: '/bin/true', version: null },
    ]);
    expect(probe).toHaveBeenCalledTimes(1);
  });

  it('enabled_tools limits what runs, and says why a tool is missing', () => {
    const { tools } = catalog({ tools: { mine: { command: '/bin/true' } } }, { ENABLED_TOOLS: 'mine' });
    expect(tools.names()).toEqual(['mine']);
    expect(tools.resolve('opencode')).toContain('tool "opencode" is not installed');
    const other = catalog({ tools: { mine: { command: '/bin/true' }, off: { command: '/bin/true' } }, enabled_tools: ['mine'] }).tools;
    expect(other.resolve('off')).toContain('tool "off" is not enabled');
    expect(other.resolve('nope')).toContain('tool "nope" is not configured');
  });

  it('an explicit opencode_bin that is not executable leaves opencode unavailable', () => {
    const { tools } = catalog({ opencode_bin: join(home, 'missing-opencode') });
    expect(typeof tools.resolve('opencode')).toBe('string');
  });
});
