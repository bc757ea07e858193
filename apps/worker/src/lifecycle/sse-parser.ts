/** One dispatched server-sent event. */
export interface SseMessage {
  event: string;
  data: string;
  id: string | null;
}

/**
 * Incremental text/event-stream parser (the WHATWG rules a worker needs): lines end in LF, CRLF
 * or CR; `:` lines are comments; `data` lines join with LF; a blank line dispatches; an event
 * without data is dropped; `retry` sets the reconnect delay. Feed it decoded text as it arrives.
 */
export class SseParser {
  /** The server's last `retry:` hint in ms, if any. */
  retryMs: number | null = null;
  /** A comment (the keep-alive) or an event arrived: the other end really speaks SSE. */
  heardFrom = false;
  private buffer = '';
  private pendingCr = false;
  private started = false;
  private event = '';
  private data: string[] = [];
  private id: string | null = null;

  push(text: string): SseMessage[] {
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    // A CR at the end of the last chunk may be the first half of a CRLF.
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = false;
    this.buffer += text;
    const out: SseMessage[] = [];
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buffer);
      if (!m) break;
      if (m[0] === '\r' && m.index === this.buffer.length - 1) {
        this.pendingCr = true;
      }
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      const message = this.line(line);
      if (message) out.push(message);
    }
    return out;
  }

  private line(line: string): SseMessage | null {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) {
      this.heardFrom = true;
      return null;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.event = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.id = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
    }
    return null;
  }

  private dispatch(): SseMessage | null {
    const message = this.data.length > 0 ? { event: this.event || 'message', data: this.data.join('\n'), id: this.id } : null;
    if (message) this.heardFrom = true;
    this.event = '';
    this.data = [];
    return message;
  }
}
