/** A store file as last seen: a change in size or mtime means it must be read again. */
export interface FileStamp {
  path: string;
  size: number;
  mtimeMs: number;
}

interface Entry<T> {
  size: number;
  mtimeMs: number;
  value: T;
}

/** Codebases whose entries are kept: a worker with more forgets the least recently synced. */
const MAX_CODEBASES = 256;

/**
 * What a session reader parsed from each store file, per codebase, reused while the file's
 * size and mtime stay the same: a sync pass every minute need not re-read and re-parse
 * megabytes of unchanged session files. A completed pass keeps only the files it looked at,
 * so removed files drop out and each codebase holds at most one pass's worth.
 */
export class SessionFileCache<T> {
  private readonly byCodebase = new Map<string, Map<string, Entry<T>>>();
  /** Files parsed (cache misses) since start: lets tests see what was really read. */
  parsed = 0;

  /** One list() of `codebase`: look files up with get(), then end() it. */
  begin(codebase: string): CachePass<T> {
    const previous = this.byCodebase.get(codebase) ?? new Map<string, Entry<T>>();
    return new CachePass(previous, () => this.parsed++, (kept) => {
      this.byCodebase.delete(codebase);
      this.byCodebase.set(codebase, kept);
      if (this.byCodebase.size > MAX_CODEBASES) this.byCodebase.delete(this.byCodebase.keys().next().value!);
    });
  }
}

export class CachePass<T> {
  private readonly used = new Map<string, Entry<T>>();

  constructor(
    private readonly previous: Map<string, Entry<T>>,
    private readonly onParse: () => void,
    private readonly save: (kept: Map<string, Entry<T>>) => void,
  ) {}

  /** The cached value when the file is unchanged, else `parse()`'s (not kept when it throws). */
  async get(file: FileStamp, parse: () => Promise<T>): Promise<T> {
    const hit = this.previous.get(file.path);
    if (hit && hit.size === file.size && hit.mtimeMs === file.mtimeMs) {
      this.used.set(file.path, hit);
      return hit.value;
    }
    this.onParse();
    const value = await parse();
    this.used.set(file.path, { size: file.size, mtimeMs: file.mtimeMs, value });
    return value;
  }

  /** `complete`: the pass saw every file it lists, so the others are gone. Else nothing is dropped. */
  end(complete: boolean): void {
    this.save(complete ? this.used : new Map([...this.previous, ...this.used]));
  }
}
