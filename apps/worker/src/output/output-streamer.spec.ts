import { Redactor, type OutputChunk } from '#domain';
import { FencedError, OutputStreamer } from './output-streamer';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function contiguous(chunks: OutputChunk[], start: number): void {
  let offset = start;
  for (const c of chunks) {
    expect(c.offset).toBe(offset);
    offset += Buffer.byteLength(c.data);
  }
}

describe('OutputStreamer', () => {
  it('sends redacted output in order with byte offsets from the start offset', async () => {
    const sent: OutputChunk[] = [];
    const s = new OutputStreamer({
      startOffset: 100,
      redactor: new Redactor(['hunter2-secret']),
      send: async (c) => {
        await wait(5);
        sent.push(c);
      },
      flushIntervalMs: 10,
      maxChunkBytes: 16,
    });
    s.write('héllo wörld\n');
    s.write('token=hunter2-secret\n');
    for (let i = 0; i < 20; i++) s.write(`line ${i}\n`);
    s.write('no newline at the end');
    await s.close();
    const text = sent.map((c) => c.data).join('');
    expect(text).toBe(`héllo wörld\ntoken=[REDACTED]\n${Array.from({ length: 20 }, (_, i) => `line ${i}\n`).join('')}no newline at the end`);
    contiguous(sent, 100);
    expect(sent.every((c) => Buffer.byteLength(c.data) <= 16)).toBe(true);
  });

  it('flushes small output on the timer, without waiting for the end', async () => {
    const sent: OutputChunk[] = [];
    const s = new OutputStreamer({ startOffset: 0, redactor: new Redactor([]), send: async (c) => void sent.push(c), flushIntervalMs: 20 });
    s.write('first line\n');
    await wait(80);
    expect(sent).toEqual([{ offset: 0, data: 'first line\n' }]);
    await s.close();
  });

  it('retries a failing chunk with the same bytes and keeps the order', async () => {
    const tries: OutputChunk[] = [];
    let failures = 2;
    const s = new OutputStreamer({
      startOffset: 0,
      redactor: new Redactor([]),
      send: async (c) => {
        // The sender owns the retry policy; here: fail twice, then land.
        for (;;) {
          tries.push(c);
          if (failures-- > 0) {
            await wait(5);
            continue;
          }
          return;
        }
      },
      flushIntervalMs: 5,
    });
    s.write('a\n');
    while (tries.length === 0) await wait(1); // "a" goes alone; it fails twice while b and c arrive
    s.write('b\n');
    s.write('c\n');
    await s.close();
    expect(tries.slice(0, 3).map((c) => c.data)).toEqual(['a\n', 'a\n', 'a\n']);
    expect(tries.slice(3).map((c) => c.data).join('')).toBe('b\nc\n');
    contiguous(tries.slice(2), 0);
  });

  it('stops and reports when the API fences the run', async () => {
    const fenced = jest.fn();
    let calls = 0;
    const s = new OutputStreamer({
      startOffset: 0,
      redactor: new Redactor([]),
      send: async () => {
        calls++;
        throw new FencedError(new Error('409'));
      },
      onFenced: fenced,
      flushIntervalMs: 5,
    });
    s.write('x\n');
    await wait(30);
    s.write('y\n');
    await s.close();
    expect(fenced).toHaveBeenCalledTimes(1);
    expect(s.isFenced).toBe(true);
    expect(calls).toBe(1);
  });

  it('gives up at the close deadline when the API never answers', async () => {
    const onError = jest.fn();
    const s = new OutputStreamer({
      startOffset: 0,
      redactor: new Redactor([]),
      send: (_c, signal) => new Promise((_r, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
      onError,
    });
    s.write('x\n');
    await s.close(50);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: expect.stringContaining('gave up on 1 output chunk') }));
  });
});
