import type { AgentEvent } from './agent-adapter';

/** Loose readers for the JSON event streams the agent CLIs print. */
export type Json = Record<string, unknown>;
export const obj = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * One stdout line of a JSON-streaming CLI: a typed event object, or (for blank lines, plain
 * text and JSON without a `type`) the events to emit as they are — never a crash.
 */
export function readJsonEventLine(line: string): { event: Json; type: string } | AgentEvent[] {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return trimmed === '' ? [] : [{ type: 'output', text: line }];
  let event: Json | undefined;
  try {
    event = obj(JSON.parse(trimmed));
  } catch {
    event = undefined;
  }
  const type = str(event?.type);
  return event && type ? { event, type } : [{ type: 'output', text: line }];
}
