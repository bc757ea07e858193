import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface StoreFile {
  path: string;
  mtimeMs: number;
}

/** Files in `dir` whose names pass `accept`, newest first, at most `limit`; [] when `dir` is missing. */
export async function newestFiles(dir: string, accept: (name: string) => boolean, limit: number): Promise<StoreFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const files = await Promise.all(
    names.filter(accept).map(async (name) => {
      try {
        const st = await stat(join(dir, name));
        return st.isFile() ? { path: join(dir, name), mtimeMs: st.mtimeMs } : null;
      } catch {
        return null; // removed meanwhile
      }
    }),
  );
  return files.filter((f): f is StoreFile => f !== null).sort((a, b) => b.mtimeMs - a.mtimeMs).slice(0, limit);
}

/**
 * Calls `onRecord` with each JSON line of a file, streamed. A line that is not JSON (the last
 * one while the CLI is still writing it, or a damaged one) is skipped and counted.
 * `onRecord` returning false stops the read early.
 */
export async function readJsonLines(path: string, onRecord: (record: any) => boolean | void): Promise<{ skipped: number }> {
  const input = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let skipped = 0;
  try {
    for await (const line of lines) {
      if (!line.trim()) continue;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        skipped++;
        continue;
      }
      if (record && typeof record === 'object' && onRecord(record) === false) break;
    }
  } finally {
    lines.close();
    input.destroy();
  }
  return { skipped };
}

/** The directory and, when it differs, its real path: a CLI may record either. */
export async function pathVariants(dir: string): Promise<string[]> {
  const real = await realpath(dir).catch(() => dir);
  return real === dir ? [dir] : [dir, real];
}
