import http from 'node:http';

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

export interface SseStream {
  status: number;
  headers: http.IncomingHttpHeaders;
  events: SseEvent[];
  comments: string[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  waitFor(predicate: (events: SseEvent[]) => boolean, timeoutMs?: number): Promise<SseEvent[]>;
  close(): void;
}

/** A minimal EventSource over node:http, so tests see exactly what went over the wire. */
export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      const events: SseEvent[] = [];
      const comments: string[] = [];
      const waiters: (() => void)[] = [];
      let buffer = '';
      let endedResolve: () => void;
      const ended = new Promise<void>((r) => (endedResolve = r));
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        buffer += text;
        let sep: number;
        while ((sep = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, sep);
          buffer = buffer.slice(sep + 2);
          const ev: SseEvent = { event: 'message', data: '' };
          const data: string[] = [];
          let isEvent = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) ev.id = line.slice(4);
            else if (line.startsWith('event: ')) {
              ev.event = line.slice(7);
              isEvent = true;
            } else if (line.startsWith('data: ')) {
              data.push(line.slice(6));
              isEvent = true;
            }
          }
          if (isEvent) {
            ev.data = data.join('\n');
            events.push(ev);
          }
        }
        waiters.splice(0).forEach((w) => w());
      });
      res.on('end', () => {
        endedResolve();
        waiters.splice(0).forEach((w) => w());
      });
      res.on('close', () => endedResolve());
      const stream: SseStream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        comments,
        ended,
        close: () => req.destroy(),
        waitFor: (predicate, timeoutMs = 10_000) =>
          new Promise((ok, fail) => {
            const timer = setTimeout(() => fail(new Error(`SSE condition not met; events so far: ${JSON.stringify(events)}`)), timeoutMs);
            const check = () => {
              if (predicate(events)) {
                clearTimeout(timer);
                ok(events);
              } else if (res.complete) {
                clearTimeout(timer);
                fail(new Error(`SSE stream ended before the condition; events: ${JSON.stringify(events)}`));
              } else waiters.push(check);
            };
            check();
          }),
      };
      resolve(stream);
    });
    req.on('error', reject);
  });
}
