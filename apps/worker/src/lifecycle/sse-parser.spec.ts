import { SseParser } from './sse-parser';

describe('SseParser', () => {
  it('parses events split anywhere across chunks, with multi-line data, comments and retry', () => {
    const wire = ': hello\n\nretry: 2500\n\nevent: task_available\ndata: {"a":\ndata: 1}\n\n: keep-alive\n\ndata: plain\n\n';
    for (let cut = 0; cut <= wire.length; cut++) {
      const p = new SseParser();
      const events = [...p.push(wire.slice(0, cut)), ...p.push(wire.slice(cut))];
      expect(events).toEqual([
        { event: 'task_available', data: '{"a":\n1}', id: null },
        { event: 'message', data: 'plain', id: null },
      ]);
      expect(p.retryMs).toBe(2500);
    }
  });

  it('accepts CRLF and CR line endings, even a CRLF split between chunks', () => {
    const p = new SseParser();
    expect([...p.push('event: x\r\ndata: 1\r'), ...p.push('\n\r\nevent: y\rdata: 2\r\r')]).toEqual([
      { event: 'x', data: '1', id: null },
      { event: 'y', data: '2', id: null },
    ]);
  });

  it('drops events without data, keeps the last id, ignores unknown fields and a bad retry', () => {
    const p = new SseParser();
    expect(p.push('\uFEFFevent: empty\n\nid: 7\nfoo: bar\nretry: soon\ndata\n\n')).toEqual([{ event: 'message', data: '', id: '7' }]);
    expect(p.retryMs).toBeNull();
  });

  it('has heard from the server after a comment or an event, not after an HTML page or a bare retry', () => {
    const page = new SseParser();
    page.push('<html>\n<body>proxy</body>\n\nretry: 10\n\n');
    expect(page.heardFrom).toBe(false);
    const keepAlive = new SseParser();
    keepAlive.push(': keep-alive\n\n');
    expect(keepAlive.heardFrom).toBe(true);
    const event = new SseParser();
    event.push('event: task_available\ndata: {}\n\n');
    expect(event.heardFrom).toBe(true);
  });
});
