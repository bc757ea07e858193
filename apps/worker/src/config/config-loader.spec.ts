import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCliArgs } from './cli-args';
import { ConfigError } from './config-error';
import { loadWorkerConfig } from './config-loader';

const dir = mkdtempSync(join(tmpdir(), 'cf-config-'));
let n = 0;
function file(content: unknown): string {
  const path = join(dir, `config-${n++}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function load(argv: string[], env: NodeJS.ProcessEnv = {}, opts: { defaultFileExists?: boolean } = {}) {
  return loadWorkerConfig({
    cli: parseCliArgs(argv),
    env,
    hostname: () => 'host-1.example',
    fileExists: opts.defaultFileExists ? undefined : () => false,
  });
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('worker config', () => {
  it('applies the documented defaults', () => {
    const { config } = load(['--server', 'http://api:8000/']);
    expect(config).toMatchObject({
      serverUrl: 'http://api:8000',
      workerName: 'host-1.example',
      workerId: 'host-1.example',
      pollIntervalS: 5,
      codebases: [],
      capabilities: ['opencode', 'build', 'deploy'],
      maxConcurrent: 1,
      opencodeBin: null,
      redisUrl: null,
      authToken: null,
      tools: {},
      enabledTools: null,
      defaultTool: 'opencode',
      cancelGraceS: 10,
      shutdownGraceS: 30,
      idleTimeoutS: 1800,
      postResultGraceS: 10,
      heartbeatIntervalS: 10,
      configFile: null,
    });
  });

  it('reads the watchdog settings from env over file; 0 is allowed (disabled)', () => {
    const path = file({ server_url: 'http://x', idle_timeout_s: 600, post_result_grace_s: 5 });
    expect(load(['-c', path]).config).toMatchObject({ idleTimeoutS: 600, postResultGraceS: 5 });
    expect(load(['-c', path]).warnings).toEqual([]);
    expect(load(['-c', path], { A2A_IDLE_TIMEOUT_S: '0', A2A_POST_RESULT_GRACE_S: '2.5' }).config).toMatchObject({ idleTimeoutS: 0, postResultGraceS: 2.5 });
    expect(configError(() => load(['-s', 'http://x'], { A2A_IDLE_TIMEOUT_S: '-1' })).message).toBe(
      'environment variable A2A_IDLE_TIMEOUT_S: must not be negative, got -1',
    );
    const bad = file({ server_url: 'http://x', post_result_grace_s: 'soon' });
    expect(configError(() => load(['-c', bad])).message).toBe(`${bad}: post_result_grace_s: must be a number, got "soon"`);
  });

  it('puts the state directory under systemd, XDG or the home folder, or where state_dir / A2A_STATE_DIR says', () => {
    const server = ['--server', 'http://x'];
    const env = { HOME: '/home/op', A2A_WORKER_ID: 'w-1' };
    expect(load(server, env).config.stateDir).toBe('/home/op/.local/state/codefleet-worker/w-1');
    expect(load(server, { ...env, XDG_STATE_HOME: '/xdg' }).config.stateDir).toBe('/xdg/codefleet-worker/w-1');
    expect(load(server, { ...env, XDG_STATE_HOME: 'relative' }).config.stateDir).toBe('/home/op/.local/state/codefleet-worker/w-1');
    expect(load(server, { ...env, XDG_STATE_HOME: '/xdg', STATE_DIRECTORY: '/var/lib/codefleet-worker' }).config.stateDir).toBe(
      '/var/lib/codefleet-worker',
    );
    const path = file({ server_url: 'http://x', state_dir: '/srv/worker-state' });
    expect(load(['-c', path], { ...env, STATE_DIRECTORY: '/var/lib/x' }).config.stateDir).toBe('/srv/worker-state');
    expect(load(['-c', path], { A2A_STATE_DIR: '/env/state' }).config.stateDir).toBe('/env/state');
    expect(load(['-c', path]).warnings).toEqual([]);
    const bad = file({ server_url: 'http://x', state_dir: 'state' });
    expect(configError(() => load(['-c', bad])).message).toBe(`${bad}: state_dir: must be an absolute path, got "state"`);
    expect(configError(() => load(server, { A2A_STATE_DIR: 'rel' })).message).toBe(
      'environment variable A2A_STATE_DIR: must be an absolute path, got "rel"',
    );
  });

  it('takes flag over env over file over default', () => {
    const path = file({
      server_url: 'http://file:1',
      worker_name: 'file-name',
      poll_interval: 7,
      max_concurrent: 2,
      auth_token: 'file-token',
      redis_url: 'redis://file:6379',
      opencode_bin: '/opt/file/opencode',
      default_tool: 'file-tool',
      enabled_tools: ['a', 'b'],
    });
    const fileOnly = load(['-c', path]).config;
    expect(fileOnly).toMatchObject({
      serverUrl: 'http://file:1',
      workerName: 'file-name',
      workerId: 'file-name',
      pollIntervalS: 7,
      maxConcurrent: 2,
      authToken: 'file-token',
      redisUrl: 'redis://file:6379',
      opencodeBin: '/opt/file/opencode',
      defaultTool: 'file-tool',
      enabledTools: ['a', 'b'],
      configFile: path,
    });

    const env = {
      A2A_SERVER_URL: 'http://env:2',
      A2A_WORKER_NAME: 'env-name',
      A2A_POLL_INTERVAL: '9',
      A2A_MAX_CONCURRENT: '3',
      A2A_AUTH_TOKEN: 'env-token',
      A2A_REDIS_URL: 'redis://env:6379',
      DEFAULT_TOOL: 'env-tool',
      ENABLED_TOOLS: 'opencode, mytool',
    };
    expect(load(['-c', path], env).config).toMatchObject({
      serverUrl: 'http://env:2',
      workerName: 'env-name',
      pollIntervalS: 9,
      maxConcurrent: 3,
      authToken: 'env-token',
      redisUrl: 'redis://env:6379',
      defaultTool: 'env-tool',
      enabledTools: ['opencode', 'mytool'],
    });

    const flags = ['-c', path, '-s', 'https://flag:3', '-n', 'flag-name', '-i', '11', '--max-concurrent', '4', '--token', 'flag-token', '--opencode', '/usr/bin/opencode'];
    expect(load(flags, env).config).toMatchObject({
      serverUrl: 'https://flag:3',
      workerName: 'flag-name',
      workerId: 'flag-name',
      pollIntervalS: 11,
      maxConcurrent: 4,
      authToken: 'flag-token',
      opencodeBin: '/usr/bin/opencode',
    });
  });

  it('takes worker_id from A2A_WORKER_ID, then the file, then a safe form of the name', () => {
    const path = file({ server_url: 'http://x', worker_id: 'file-id' });
    expect(load(['-c', path]).config.workerId).toBe('file-id');
    expect(load(['-c', path], { A2A_WORKER_ID: 'env-id' }).config.workerId).toBe('env-id');
    expect(load(['-s', 'http://x', '-n', 'dev vm:1']).config.workerId).toBe('dev-vm-1');
  });

  it('reads the default config file only when it exists, and A2A_CONFIG_FILE moves it', () => {
    const path = file({ server_url: 'http://from-default' });
    const cfg = loadWorkerConfig({ cli: parseCliArgs([]), env: { A2A_CONFIG_FILE: path } }).config;
    expect(cfg.serverUrl).toBe('http://from-default');
    expect(cfg.configFile).toBe(path);
    // No file at the default place and no server anywhere: the missing key is named.
    const err = configError(() => loadWorkerConfig({ cli: parseCliArgs([]), env: { A2A_CONFIG_FILE: join(dir, 'absent.json') } }));
    expect(err.message).toBe('server_url: is required (set it in the config file, with --server, or with A2A_SERVER_URL)');
  });

  it('reads codebases as objects or plain paths, and adds --codebase flags', () => {
    const path = file({
      server_url: 'http://x',
      codebases: [
        { name: 'api', path: '/srv/api/', description: 'The API' },
        '/home/user/project-b',
        { path: '/srv/no-name' },
      ],
    });
    const { codebases } = load(['-c', path, '-b', 'web:/srv/web', '--codebase', '/srv/plain', '-b', 'renamed:/srv/api']).config;
    expect(codebases).toEqual([
      { name: 'renamed', path: '/srv/api', description: '' },
      { name: 'project-b', path: '/home/user/project-b', description: '' },
      { name: 'no-name', path: '/srv/no-name', description: '' },
      { name: 'web', path: '/srv/web', description: '' },
      { name: 'plain', path: '/srv/plain', description: '' },
    ]);
  });

  it('reads custom command tools with default args', () => {
    const path = file({
      server_url: 'http://x',
      tools: {
        mytool: { command: '/usr/local/bin/mytool', args: ['--flag', '{prompt}'], env: { A: '1' }, cwd: 'sub' },
        plain: { command: '/bin/echo' },
      },
    });
    expect(load(['-c', path]).config.tools).toEqual({
      mytool: { name: 'mytool', command: '/usr/local/bin/mytool', args: ['--flag', '{prompt}'], env: { A: '1' }, cwd: 'sub' },
      plain: { name: 'plain', command: '/bin/echo', args: ['{prompt}'], env: {}, cwd: null },
    });
  });

  it('warns about unknown and legacy keys without failing', () => {
    const path = file({ server_url: 'http://x', sendgrid_api_key: 'SG.x', colour: 'blue' });
    const { warnings } = load(['-c', path]);
    expect(warnings).toEqual([
      expect.stringContaining('"sendgrid_api_key" is no longer used'),
      expect.stringContaining('unknown key "colour"'),
    ]);
  });

  describe('errors name the problem and where it came from', () => {
    it('missing server_url names the key and the file', () => {
      const path = file({ worker_name: 'w' });
      const err = configError(() => load(['-c', path]));
      expect(err.message).toMatch(new RegExp(`^${path}: server_url: is required`));
    });

    it('an explicit config file that cannot be read', () => {
      const missing = join(dir, 'nope.json');
      expect(configError(() => load(['-c', missing])).message).toMatch(new RegExp(`${missing}: cannot read config file: ENOENT`));
      if (process.getuid?.() !== 0) {
        const locked = file({ server_url: 'http://x' });
        chmodSync(locked, 0o000);
        expect(configError(() => load(['-c', locked])).message).toMatch(/cannot read config file: EACCES/);
      }
    });

    it('invalid JSON and a non-object', () => {
      const bad = file('{ "server_url": "http://x", }');
      expect(configError(() => load(['-c', bad])).message).toMatch(new RegExp(`${bad}: invalid JSON`));
      const arr = file('[1]');
      expect(configError(() => load(['-c', arr])).message).toMatch(/must contain a JSON object/);
    });

    it('a non-absolute codebase path, in the file or a flag', () => {
      const path = file({ server_url: 'http://x', codebases: [{ name: 'a', path: 'relative/dir' }] });
      expect(configError(() => load(['-c', path])).message).toBe(`${path}: codebases[0].path: path must be absolute, got "relative/dir"`);
      const plain = file({ server_url: 'http://x', codebases: ['/ok', 'rel'] });
      expect(configError(() => load(['-c', plain])).message).toContain(`${plain}: codebases[1]: path must be absolute`);
      expect(configError(() => load(['-s', 'http://x', '-b', 'name:relative'])).message).toContain('flag --codebase "name:relative": path must be absolute');
      expect(configError(() => load(['-s', 'http://x', '-b', 'relative'])).message).toContain('flag --codebase "relative"');
    });

    it('bad numbers from env, flags and the file', () => {
      expect(configError(() => load(['-s', 'http://x'], { A2A_POLL_INTERVAL: 'soon' })).message).toBe(
        'environment variable A2A_POLL_INTERVAL: must be a number, got "soon"',
      );
      expect(configError(() => load(['-s', 'http://x', '--max-concurrent', '0'])).message).toMatch(/^flag --max-concurrent: must be a whole number/);
      expect(configError(() => load(['-s', 'http://x'], { A2A_MAX_CONCURRENT: '1.5' })).message).toMatch(/A2A_MAX_CONCURRENT: must be a whole number/);
      const path = file({ server_url: 'http://x', poll_interval: -1 });
      expect(configError(() => load(['-c', path])).message).toBe(`${path}: poll_interval: must be greater than 0, got -1`);
      const grace = file({ server_url: 'http://x', cancel_grace_s: 'ten' });
      expect(configError(() => load(['-c', grace])).message).toContain(`${grace}: cancel_grace_s: must be a number`);
    });

    it('a tool with a relative command or bad args', () => {
      const path = file({ server_url: 'http://x', tools: { mytool: { command: 'bin/tool' } } });
      expect(configError(() => load(['-c', path])).message).toBe(`${path}: tools.mytool.command: must be an absolute path, got "bin/tool"`);
      const args = file({ server_url: 'http://x', tools: { t: { command: '/bin/t', args: '--x' } } });
      expect(configError(() => load(['-c', args])).message).toContain('tools.t.args: must be an array of strings');
    });

    it('bad URLs, ids, and unknown flags', () => {
      expect(configError(() => load(['-s', 'ftp://x'])).message).toMatch(/flag --server: must be an http/);
      expect(configError(() => load(['-s', 'http://x'], { A2A_REDIS_URL: 'localhost:6379' })).message).toMatch(/A2A_REDIS_URL: must be a redis/);
      expect(configError(() => load(['-s', 'http://x'], { A2A_WORKER_ID: 'a:b' })).message).toMatch(/A2A_WORKER_ID: worker id "a:b"/);
      expect(configError(() => load(['--bogus'])).message).toMatch(/^command line: .*bogus/);
    });
  });
});
