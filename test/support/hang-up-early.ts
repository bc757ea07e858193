import net from 'node:net';

/**
 * Sends a GET and closes the connection right after, before any response byte: the server
 * sees a client that left while its handler was still working.
 */
export function hangUpEarly(baseUrl: string, path: string, headers: Record<string, string>): Promise<void> {
  const { hostname, port } = new URL(baseUrl);
  const head = [`GET ${path} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Accept: text/event-stream', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.end(`${head.join('\r\n')}\r\n\r\n`);
      socket.destroySoon();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve());
  });
}
