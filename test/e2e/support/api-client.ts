import { request } from 'node:http';

/** A thin HTTP client for the API as a user (or a script) would drive it. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async call<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async ok<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.call<T>(method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path} -> ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Reads an SSE stream to its end; returns the events in arrival order. */
  sse(path: string, timeoutMs = 30_000): Promise<{ event: string; id?: string; data: any }[]> {
    return new Promise((resolve, reject) => {
      const events: { event: string; id?: string; data: any }[] = [];
      const req = request(this.baseUrl + path, { headers: { authorization: `Bearer ${this.token}`, accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`SSE ${path} -> ${res.statusCode}`));
        res.setEncoding('utf8');
        let buf = '';
        res.on('data', (piece: string) => {
          buf += piece;
          let end: number;
          while ((end = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, end);
            buf = buf.slice(end + 2);
            const ev: { event: string; id?: string; data: any } = { event: 'message', data: '' };
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) ev.event = line.slice(6).trim();
              else if (line.startsWith('id:')) ev.id = line.slice(3).trim();
              else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
            }
            if (data.length === 0) continue; // keep-alive comment
            const raw = data.join('\n');
            try {
              ev.data = JSON.parse(raw);
            } catch {
              ev.data = raw;
            }
            events.push(ev);
          }
        });
        res.on('end', () => resolve(events));
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`SSE ${path} did not end within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
  }
}
