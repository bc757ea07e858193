import type { IncomingMessage, ServerResponse } from 'node:http';

/** The parts of an Express request this app reads (the project has no @types/express). */
export interface ApiRequest extends IncomingMessage {
  body?: unknown;
  params: Record<string, string>;
  query: Record<string, unknown>;
  ip?: string;
  originalUrl?: string;
  route?: { path?: string | string[] };
  requestId?: string;
  principal?: string;
}

export interface ApiResponse extends ServerResponse {
  status(code: number): this;
  json(body: unknown): this;
}
