import { StringDecoder } from 'node:string_decoder';

/** Longest line kept whole; a longer one is passed on in pieces so memory stays bounded. */
export const MAX_LINE_CHARS = 1024 * 1024;

/**
 * Splits a byte stream into lines as the bytes arrive: complete lines at once, the unfinished
 * tail kept until its newline (or the end) arrives. UTF-8 sequences split across reads are
 * decoded whole. Lines are returned without "\n" (and without a trailing "\r").
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(private readonly maxLineChars = MAX_LINE_CHARS) {}

  push(data: Buffer | string): string[] {
    const text = this.partial + (typeof data === 'string' ? data : this.decoder.write(data));
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    const out = lines.map(stripCr);
    while (this.partial.length > this.maxLineChars) {
      out.push(this.partial.slice(0, this.maxLineChars));
      this.partial = this.partial.slice(this.maxLineChars);
    }
    return out;
  }

  /** The last line if it had no newline. */
  end(): string[] {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    return rest === '' ? [] : [stripCr(rest)];
  }
}

const stripCr = (line: string): string => (line.endsWith('\r') ? line.slice(0, -1) : line);
