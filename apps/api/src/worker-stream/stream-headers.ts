import type { IncomingHttpHeaders } from 'node:http';

const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/** Comma lists as the worker sends them (`X-Codebases: cb_a, cb_b`); empty items dropped, order kept, no repeats. */
export function commaList(value: string | string[] | undefined): string[] {
  const raw = Array.isArray(value) ? value.join(',') : (value ?? '');
  return [...new Set(raw.split(',').map((s) => s.trim()).filter(Boolean))];
}

/**
 * The worker id of a stream request: the documented `worker_id` header, or `X-Worker-Id`
 * (proxies such as nginx drop header names with underscores by default).
 */
export function workerIdFromHeaders(headers: IncomingHttpHeaders): string | null {
  const value = (first(headers['worker_id']) ?? first(headers['x-worker-id']))?.trim();
  return value ? value : null;
}

export interface StreamRequestHeaders {
  workerId: string | null;
  /** null: the header was not sent (every codebase of the worker). */
  codebases: string[] | null;
  capabilities: string[];
}

export function readStreamHeaders(headers: IncomingHttpHeaders): StreamRequestHeaders {
  return {
    workerId: workerIdFromHeaders(headers),
    codebases: headers['x-codebases'] === undefined ? null : commaList(headers['x-codebases']),
    capabilities: commaList(headers['x-capabilities']),
  };
}
