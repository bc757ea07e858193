import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A longer line is skipped without being held whole: a damaged store file with no newline
 * must not be read into memory in one piece. Real session lines (a tool output in a Claude
 * Code line) stay far below it.
 */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;

export interface StoreFile {
  path: string;
  size: number;
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
        return st.isFile() ? { path: join(dir, name), size: st.size, mtimeMs: st.mtimeMs } : null;
      } catch {
        return null; // removed meanwhile
      }
    }),
  );
  return files.filter((f): f is StoreFile => f !== null).sort((a, b) => b.mtimeMs - a.mtimeMs).slice(0, limit);
}

/**
 * Calls `onLine` with each line of a file (without its `\n` or `\r\n`), streamed; the last
 * line counts even without a newline. A line over `maxLineBytes` is dropped as it streams past
 * and counted in `tooLong`. `onLine` returning false stops the read early.
 */
export async function readLines(
  path: string,
  onLine: (line: string) => boolean | void,
  maxLineBytes: number = MAX_LINE_BYTES,
): Promise<{ tooLong: number }> {
  const input = createReadStream(path);
  let parts: Buffer[] = [];
  let bytes = 0;
  let dropping = false;
  let tooLong = 0;
  // Decoded only when whole, so a character split between two chunks stays intact.
  const emit = (): boolean => {
    const text = (parts.length === 1 ? parts[0] : Buffer.concat(parts, bytes)).toString('utf8');
    return onLine(text.endsWith('\r') ? text.slice(0, -1) : text) !== false;
  };
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      let start = 0;
      for (;;) {
        const newline = chunk.indexOf(0x0a, start);
        const piece = chunk.subarray(start, newline === -1 ? chunk.length : newline);
        if (!dropping && bytes + piece.length > maxLineBytes) {
          dropping = true;
          tooLong++;
          parts = [];
          bytes = 0;
        }
        if (!dropping && piece.length > 0) {
          parts.push(piece);
          bytes += piece.length;
        }
        if (newline === -1) break;
        if (!dropping && !emit()) return { tooLong };
        parts = [];
        bytes = 0;
        dropping = false;
        start = newline + 1;
      }
    }
    if (!dropping && bytes > 0) emit();
  } finally {
    input.destroy();
  }
  return { tooLong };
}

/**
 * Calls `onRecord` with each JSON line of a file, streamed. A line that is not JSON (the last
 * one while the CLI is still writing it, or a damaged or overlong one) is skipped and counted.
 * `onRecord` returning false stops the read early.
 */
export async function readJsonLines(path: string, onRecord: (record: any) => boolean | void): Promise<{ skipped: number }> {
  let skipped = 0;
  const { tooLong } = await readLines(path, (line) => {
    if (!line.trim()) return;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      skipped++;
      return;
    }
    if (record && typeof record === 'object' && onRecord(record) === false) return false;
  });
  return { skipped: skipped + tooLong };
}

/** The directory and, when it differs, its real path: a CLI may record either. */
export async function pathVariants(dir: string): Promise<string[]> {
  const real = await realpath(dir).catch(() => dir);
  return real === dir ? [dir] : [dir, real];
}
