/**
 * Turns an output stream into offset-addressed chunks (DESIGN 6): flush at 64 KiB (the caller
 * also flushes on a 250 ms timer), byte offsets in UTF-8, and a per-task cap that keeps the
 * head and the tail with an explicit truncation marker in between.
 */
export interface OutputChunk {
  offset: number;
  data: string;
}

export interface ChunkerOptions {
  startOffset?: number;
  maxChunkBytes?: number;
  capBytes?: number;
  tailBytes?: number;
}

export const DEFAULT_MAX_CHUNK_BYTES = 64 * 1024;
export const DEFAULT_OUTPUT_CAP_BYTES = 64 * 1024 * 1024;

export class OutputChunker {
  private offset: number;
  private buffer = '';
  private bufferBytes = 0;
  private headLeft: number;
  private tail: string[] = [];
  private tailSize = 0;
  private omittedBytes = 0;
  private readonly maxChunkBytes: number;
  private readonly tailBytes: number;

  constructor(opts: ChunkerOptions = {}) {
    this.offset = opts.startOffset ?? 0;
    this.maxChunkBytes = opts.maxChunkBytes ?? DEFAULT_MAX_CHUNK_BYTES;
    const cap = opts.capBytes ?? DEFAULT_OUTPUT_CAP_BYTES;
    this.tailBytes = Math.min(opts.tailBytes ?? Math.min(1024 * 1024, Math.floor(cap / 4)), cap);
    this.headLeft = cap - this.tailBytes;
  }

  get truncated(): boolean {
    return this.omittedBytes > 0;
  }

  /** Adds text; returns the chunks that are full and ready to send. */
  push(text: string): OutputChunk[] {
    if (!text) return [];
    const bytes = Buffer.byteLength(text);
    if (bytes <= this.headLeft) {
      this.headLeft -= bytes;
      return this.append(text, bytes);
    }
    // Past the head: keep only a rolling tail until the end.
    const [head, headBytes] = this.takeHead(text);
    this.headLeft = 0;
    this.keepTail(text.slice(head.length));
    return head ? this.append(head, headBytes) : [];
  }

  /** Everything buffered (and, if truncated, the marker and the tail) as final chunks. */
  flush(final = false): OutputChunk[] {
    const out: OutputChunk[] = [];
    if (final && this.truncated) {
      const marker = `\n[codefleet: output truncated, ${this.omittedBytes} bytes omitted]\n`;
      const tail = this.tail.join('');
      this.tail = [];
      this.tailSize = 0;
      out.push(...this.append(marker + tail, Buffer.byteLength(marker + tail), true));
    }
    if (this.bufferBytes > 0) out.push(this.cut());
    return out;
  }

  private takeHead(text: string): [string, number] {
    // Whole characters only, so a chunk never splits a UTF-8 sequence.
    let bytes = 0;
    let i = 0;
    for (const ch of text) {
      const b = Buffer.byteLength(ch);
      if (bytes + b > this.headLeft) break;
      bytes += b;
      i += ch.length;
    }
    return [text.slice(0, i), bytes];
  }

  private keepTail(text: string): void {
    this.tail.push(text);
    this.tailSize += Buffer.byteLength(text);
    while (this.tailSize > this.tailBytes && this.tail.length > 0) {
      const first = this.tail[0];
      const firstBytes = Buffer.byteLength(first);
      const excess = this.tailSize - this.tailBytes;
      if (firstBytes <= excess) {
        this.tail.shift();
        this.tailSize -= firstBytes;
        this.omittedBytes += firstBytes;
      } else {
        const dropped = Buffer.from(first).subarray(0, excess).toString('utf8').replace(/\uFFFD$/, '');
        const droppedBytes = Buffer.byteLength(dropped);
        this.tail[0] = first.slice(dropped.length);
        this.tailSize -= droppedBytes;
        this.omittedBytes += droppedBytes;
        if (droppedBytes === 0) break;
      }
    }
  }

  private append(text: string, bytes: number, force = false): OutputChunk[] {
    this.buffer += text;
    this.bufferBytes += bytes;
    const out: OutputChunk[] = [];
    while (this.bufferBytes >= this.maxChunkBytes || (force && this.bufferBytes > this.maxChunkBytes)) {
      out.push(this.cut(this.maxChunkBytes));
    }
    return out;
  }

  private cut(limit = Infinity): OutputChunk {
    let data = this.buffer;
    if (this.bufferBytes > limit) {
      let bytes = 0;
      let i = 0;
      for (const ch of this.buffer) {
        const b = Buffer.byteLength(ch);
        if (bytes + b > limit) break;
        bytes += b;
        i += ch.length;
      }
      data = this.buffer.slice(0, i);
    }
    const dataBytes = Buffer.byteLength(data);
    const chunk = { offset: this.offset, data };
    this.offset += dataBytes;
    this.buffer = this.buffer.slice(data.length);
    this.bufferBytes -= dataBytes;
    return chunk;
  }
}
