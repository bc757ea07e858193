import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config-error';
import { prepareStateDir } from './state-dir';

describe('prepareStateDir', () => {
  const base = mkdtempSync(join(tmpdir(), 'cf-statedir-'));

  it('creates the state directory, parents included, readable by the worker alone', () => {
    const dir = join(base, 'a', 'b', 'worker-1');
    prepareStateDir(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    prepareStateDir(dir); // again: nothing to do
  });

  it('a path that cannot be a directory is a configuration error naming it', () => {
    const file = join(base, 'a-file');
    writeFileSync(file, '');
    const attempt = (path: string) => () => prepareStateDir(path);
    expect(attempt(file)).toThrow(ConfigError);
    expect(attempt(file)).toThrow(`state_dir ${file}: cannot create the state directory`);
    expect(attempt(join(file, 'below'))).toThrow(`state_dir ${join(file, 'below')}: cannot create the state directory`);
  });
});
