import { mkdirSync, statSync } from 'node:fs';
import { ConfigError } from './config-error';

/**
 * Creates the worker's state directory (0700) at start; one that cannot be made or is not a
 * directory is a configuration error (exit 2), named like any other bad key.
 */
export function prepareStateDir(stateDir: string): void {
  try {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new ConfigError(`state_dir ${stateDir}`, `cannot create the state directory: ${(err as Error).message}`);
  }
  if (!statSync(stateDir).isDirectory()) throw new ConfigError(`state_dir ${stateDir}`, 'is not a directory');
}
