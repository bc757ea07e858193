import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The package version, found by walking up from this file (works from src/ and dist/). */
function findVersion(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'codefleet' && pkg.version) return pkg.version;
    } catch {
      // keep looking
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

export const WORKER_VERSION = findVersion();
