import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonLines, readLines } from './store-files';

describe('store files', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cf-store-files-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const file = (content: string | Buffer) => {
    const path = join(dir, 'f');
    writeFileSync(path, content);
    return path;
  };
  const collect = async (path: string, max?: number) => {
    const lines: string[] = [];
    const { tooLong } = await readLines(path, (l) => void lines.push(l), max);
    return { lines, tooLong };
  };

  it('reads lines with \\n or \\r\\n endings, blank ones too, and a last line without a newline', async () => {
    expect(await collect(file('one\r\n\ntwo\nthree'))).toEqual({ lines: ['one', '', 'two', 'three'], tooLong: 0 });
  });

  it('keeps characters whose bytes span two reads intact', async () => {
    const text = `${'a'.repeat(65535)}é€😀\nnext`;
    const { lines } = await collect(file(text));
    expect(lines).toEqual([`${'a'.repeat(65535)}é€😀`, 'next']);
  });

  it('skips a line over the cap without holding it, and goes on after it', async () => {
    const path = file(`short\n${'x'.repeat(300_000)}\nafter\n${'y'.repeat(300_000)}`);
    expect(await collect(path, 100_000)).toEqual({ lines: ['short', 'after'], tooLong: 2 });
  });

  it('stops when the callback says so', async () => {
    const seen: string[] = [];
    await readLines(file('a\nb\nc\n'), (l) => (seen.push(l), l !== 'b'));
    expect(seen).toEqual(['a', 'b']);
  });

  it('parses JSON lines, counting the damaged ones as skipped', async () => {
    const records: unknown[] = [];
    const { skipped } = await readJsonLines(file('{"a":1}\n{"b":\n\n[2]\n{"c":3}'), (r) => void records.push(r));
    expect(records).toEqual([{ a: 1 }, [2], { c: 3 }]);
    expect(skipped).toBe(1);
  });
});
