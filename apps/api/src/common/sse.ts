import type { ApiRequest, ApiResponse } from './http-types';

/** How long an SSE client waits before reconnecting, sent as the stream's `retry:` hint. */
export const SSE_RETRY_HINT_MS = 3000;

/** Starts a server-sent event stream: headers that keep proxies from buffering it, and the retry hint. */
export function openEventStream(res: ApiResponse): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('Connection', 'keep-alive');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  res.write(`retry: ${SSE_RETRY_HINT_MS}\n\n`);
}

/**
 * Whether the client already hung up. A 'close' that fired while the handler was awaiting
 * (a lookup, a Redis subscribe) is not emitted again, so check this after attaching listeners.
 */
export function clientGone(req: ApiRequest, res: ApiResponse): boolean {
  return req.destroyed || res.destroyed || res.writableEnded || req.socket?.destroyed === true;
}

/** Calls `stop` once the client goes away, including when it already has. */
export function onClientGone(req: ApiRequest, res: ApiResponse, stop: () => void): void {
  req.on('close', stop);
  res.on('close', stop);
  if (clientGone(req, res)) stop();
}
