import { OutputChunker } from './output-chunker';

const join = (chunks: { offset: number; data: string }[]) => chunks.map((c) => c.data).join('');

describe('output chunking', () => {
  it('flushes full chunks with byte offsets and the rest on flush', () => {
    const c = new OutputChunker({ maxChunkBytes: 10, startOffset: 100 });
    const full = c.push('abcdefghijklmnop');
    expect(full).toEqual([{ offset: 100, data: 'abcdefghij' }]);
    expect(c.flush()).toEqual([{ offset: 110, data: 'klmnop' }]);
  });

  it('counts offsets in UTF-8 bytes and never splits a character', () => {
    const c = new OutputChunker({ maxChunkBytes: 5 });
    const chunks = [...c.push('ééé€'), ...c.flush()];
    expect(join(chunks)).toBe('ééé€');
    expect(chunks[1].offset).toBe(Buffer.byteLength(chunks[0].data));
    for (const ch of chunks) expect(Buffer.byteLength(ch.data)).toBeLessThanOrEqual(5);
  });

  it('keeps the head and the tail with a marker when over the cap', () => {
    const c = new OutputChunker({ maxChunkBytes: 1000, capBytes: 100, tailBytes: 20 });
    const lines = Array.from({ length: 50 }, (_, i) => `line ${String(i).padStart(2, '0')}\n`);
    const chunks = [...lines.flatMap((l) => c.push(l)), ...c.flush(true)];
    const text = join(chunks);
    expect(c.truncated).toBe(true);
    expect(text.startsWith('line 00\n')).toBe(true);
    expect(text.endsWith('line 49\n')).toBe(true);
    expect(text).toMatch(/\[codefleet: output truncated, \d+ bytes omitted\]/);
    const omitted = Number(/truncated, (\d+) bytes/.exec(text)![1]);
    const kept = text.replace(/\n\[codefleet[^\]]*\]\n/, '');
    expect(Buffer.byteLength(kept) + omitted).toBe(lines.join('').length);
  });

  it('offsets are contiguous across chunks', () => {
    const c = new OutputChunker({ maxChunkBytes: 7 });
    const chunks = [...c.push('x'.repeat(30)), ...c.flush()];
    let next = 0;
    for (const ch of chunks) {
      expect(ch.offset).toBe(next);
      next += Buffer.byteLength(ch.data);
    }
    expect(next).toBe(30);
  });
});
