import { SESSION_SYNC_LIMITS, type SyncedSessionMessage } from '#contracts';

/** The API's bounds: distinct tools per session, tool names per message, characters of a tool name. */
const MAX_TOOLS = 200;
const MAX_TOOL_NAME = 200;

/** `text` cut to `max` characters, marked with an ellipsis when cut. */
export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** An ISO timestamp from an ISO string or epoch milliseconds/seconds; null when unusable. */
export function isoTime(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) {
    const d = new Date(value < 1e12 ? value * 1000 : value);
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  }
  if (typeof value === 'string' && value) {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  }
  return null;
}

/**
 * Builds a session's message list while a store is read front to back: keeps only the most
 * recent `maxMessages` (a long session is streamed, never held whole), counts all of them
 * and every tool call. Tool calls join the assistant message they follow.
 */
export class TranscriptBuilder {
  private readonly kept: SyncedSessionMessage[] = [];
  private lastKey: string | null = null;
  private count = 0;
  private firstUser: string | null = null;
  private firstAt: string | null = null;
  private lastAt: string | null = null;
  readonly toolUsage: Record<string, number> = {};

  constructor(private readonly maxMessages: number = SESSION_SYNC_LIMITS.maxMessages) {}

  /** Any timestamp seen in the store, for created_at/updated_at. */
  seen(at: string | null): void {
    if (!at) return;
    if (!this.firstAt || at < this.firstAt) this.firstAt = at;
    if (!this.lastAt || at > this.lastAt) this.lastAt = at;
  }

  user(id: string, text: string, at: string | null): void {
    if (!text.trim()) return;
    this.firstUser ??= text.trim();
    this.push({ id, role: 'user', created_at: at, text: shorten(text, SESSION_SYNC_LIMITS.maxMessageText) }, null);
  }

  /** Output of a tool or command the agent ran (Aider logs it as its own block). */
  tool(id: string, text: string, at: string | null): void {
    if (!text.trim()) return;
    this.push({ id, role: 'tool', created_at: at, text: shorten(text, SESSION_SYNC_LIMITS.maxMessageText) }, null);
  }

  /** Assistant text; parts with the same `key` (one API message split in several store lines) merge. */
  assistant(id: string, text: string, at: string | null, key: string | null = id): void {
    const last = this.current();
    if (key && last && last.role === 'assistant' && this.lastKey === key) {
      if (text) last.text = shorten(last.text ? `${last.text}\n${text}` : text, SESSION_SYNC_LIMITS.maxMessageText);
      return;
    }
    this.push({ id, role: 'assistant', created_at: at, text: shorten(text, SESSION_SYNC_LIMITS.maxMessageText) }, key);
  }

  /** A tool call: on the assistant message it belongs to (or follows), else on a new one. */
  toolCall(rawName: string, at: string | null, id: string, key: string | null = null): void {
    const name = rawName.slice(0, MAX_TOOL_NAME);
    if (name in this.toolUsage || Object.keys(this.toolUsage).length < MAX_TOOLS) this.toolUsage[name] = (this.toolUsage[name] ?? 0) + 1;
    const last = this.current();
    if (!last || last.role !== 'assistant' || (key !== null && this.lastKey !== null && key !== this.lastKey)) {
      this.push({ id, role: 'assistant', created_at: at, text: '' }, key);
    }
    const msg = this.current()!;
    msg.tool_calls ??= [];
    if (msg.tool_calls.length < MAX_TOOLS) msg.tool_calls.push(name);
  }

  /** Ends the current assistant message, so the next text starts a new one. */
  breakTurn(): void {
    this.lastKey = null;
  }

  get messageCount(): number {
    return this.count;
  }

  get firstUserText(): string | null {
    return this.firstUser;
  }

  get createdAt(): string | null {
    return this.firstAt;
  }

  get updatedAt(): string | null {
    return this.lastAt;
  }

  messages(): SyncedSessionMessage[] {
    return this.kept.map((m) => (m.tool_calls?.length ? m : withoutToolCalls(m)));
  }

  private current(): SyncedSessionMessage | undefined {
    return this.kept[this.kept.length - 1];
  }

  private push(msg: SyncedSessionMessage, key: string | null): void {
    this.kept.push(msg);
    this.count++;
    this.lastKey = key;
    if (this.kept.length > this.maxMessages) this.kept.shift();
  }
}

function withoutToolCalls(m: SyncedSessionMessage): SyncedSessionMessage {
  const { tool_calls: _omit, ...rest } = m;
  return rest;
}

/** The session title: the CLI's own, else the first user prompt, on one line and shortened. */
export function sessionTitle(own: string | null | undefined, firstUser: string | null): string | null {
  const raw = (own && own.trim()) || firstUser;
  return raw ? shorten(raw.replace(/\s+/g, ' ').trim(), SESSION_SYNC_LIMITS.maxTitle) : null;
}
