import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** True for an existing regular file this process may execute. */
export function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds `name` on PATH, then in `extraDirs` (where installers put CLIs that are not on a
 * service's PATH, e.g. ~/.local/bin). Absolute names are checked as they are.
 */
export function findExecutable(name: string, pathEnv: string | undefined, extraDirs: string[] = []): string | null {
  if (isAbsolute(name)) return isExecutableFile(name) ? name : null;
  const dirs = [...(pathEnv ?? '').split(delimiter), ...extraDirs].filter((d) => d !== '' && isAbsolute(d));
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}
