import { type OutputChunk, OutputChunker, type Redactor, StreamRedactor } from '#domain';

/** Sends one chunk (retrying as it sees fit); rejects with a FencedError when the API refuses it for good. */
export type ChunkSender = (chunk: OutputChunk, signal: AbortSignal) => Promise<void>;

/** The control plane no longer accepts output from this run (409 stale attempt, 404 task gone). */
export class FencedError extends Error {
  constructor(readonly origin: unknown) {
    super(`output refused: ${origin instanceof Error ? origin.message : String(origin)}`);
    this.name = 'FencedError';
  }
}

export interface OutputStreamerOptions {
  /** Where this run's output starts (the claim's output_offset). */
  startOffset: number;
  redactor: Redactor;
  send: ChunkSender;
  /** Called once if the API refuses the output for good: the run has lost its task. */
  onFenced?: (err: FencedError) => void;
  /** Non-fatal trouble (a chunk abandoned at close). */
  onError?: (err: Error) => void;
  flushIntervalMs?: number;
  maxChunkBytes?: number;
  capBytes?: number;
}

/**
 * One task run's output path (DESIGN 6): redact -> offset chunks (64 KiB or every 250 ms) ->
 * send in order, one request in flight, each chunk retried until it lands. Chunks waiting
 * behind the one in flight are merged before their first try (never after: a retried offset
 * must carry the same bytes, or the API's idempotent insert would drop the difference).
 */
export class OutputStreamer {
  private readonly redactor: StreamRedactor;
  private readonly chunker: OutputChunker;
  private readonly queue: OutputChunk[] = [];
  private readonly abort = new AbortController();
  private readonly maxChunkBytes: number;
  private timer: NodeJS.Timeout | null = null;
  private pumping: Promise<void> | null = null;
  private closed = false;
  private fenced = false;

  constructor(private readonly opts: OutputStreamerOptions) {
    this.redactor = new StreamRedactor(opts.redactor);
    this.maxChunkBytes = opts.maxChunkBytes ?? 64 * 1024;
    this.chunker = new OutputChunker({ startOffset: opts.startOffset, maxChunkBytes: this.maxChunkBytes, capBytes: opts.capBytes });
  }

  get truncated(): boolean {
    return this.chunker.truncated;
  }

  get isFenced(): boolean {
    return this.fenced;
  }

  write(text: string): void {
    if (this.closed || this.fenced || text === '') return;
    this.enqueue(this.chunker.push(this.redactor.push(text)));
    if (!this.timer) {
      this.timer = setInterval(() => this.enqueue(this.chunker.flush(false)), this.opts.flushIntervalMs ?? 250);
      this.timer.unref();
    }
  }

  /** Flushes everything (with the truncation marker, if any) and waits until it has landed or `deadlineMs` passed. */
  async close(deadlineMs = 60_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (!this.fenced) {
      this.enqueue(this.chunker.push(this.redactor.end()));
      this.enqueue(this.chunker.flush(true));
    }
    const deadline = setTimeout(() => this.abort.abort(), deadlineMs);
    try {
      while (this.pumping) await this.pumping;
    } finally {
      clearTimeout(deadline);
    }
    if (this.queue.length > 0) {
      this.opts.onError?.(new Error(`gave up on ${this.queue.length} output chunk(s) from offset ${this.queue[0].offset}`));
      this.queue.length = 0;
    }
  }

  /** Stops sending at once (the run is being abandoned). */
  discard(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.queue.length = 0;
    this.abort.abort();
  }

  private enqueue(chunks: OutputChunk[]): void {
    if (chunks.length === 0 || this.fenced) return;
    this.queue.push(...chunks);
    this.pumping ??= this.pump().finally(() => (this.pumping = null));
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0 && !this.fenced && !this.abort.signal.aborted) {
      this.mergeHead();
      const chunk = this.queue[0];
      try {
        await this.opts.send(chunk, this.abort.signal);
        this.queue.shift();
      } catch (err) {
        if (err instanceof FencedError) {
          this.fenced = true;
          this.queue.length = 0;
          this.opts.onFenced?.(err);
        }
        return; // aborted or fenced: close() reports what is left
      }
    }
  }

  private mergeHead(): void {
    let bytes = Buffer.byteLength(this.queue[0].data);
    while (this.queue.length > 1) {
      const next = this.queue[1];
      const nextBytes = Buffer.byteLength(next.data);
      if (bytes + nextBytes > this.maxChunkBytes || next.offset !== this.queue[0].offset + bytes) break;
      this.queue[0] = { offset: this.queue[0].offset, data: this.queue[0].data + next.data };
      bytes += nextBytes;
      this.queue.splice(1, 1);
    }
  }
}
