/**
 * Agent sessions as a worker reads them from each CLI's own store and pushes them to
 * `POST /v1/agent/codebases/:id/sessions/sync` (seed: `{worker_id, sessions: [{id, title,
 * created_at}]}`; everything beyond those fields is optional so the seed's payload works).
 */

/**
 * Limits the worker applies before sending and the API enforces on receipt: more sessions
 * or messages than allowed is a 400; longer titles, summaries and texts are shortened.
 */
export const SESSION_SYNC_LIMITS = {
  /** Sessions per sync request (the most recently updated first). */
  maxSessions: 200,
  /** Messages kept per session (the most recent ones). */
  maxMessages: 200,
  /** Characters of text kept per message summary. */
  maxMessageText: 2000,
  /** Characters of a session title / summary. */
  maxTitle: 300,
} as const;

export interface SyncedSessionMessage {
  id: string;
  /** user, assistant, tool, system */
  role: string;
  created_at?: string | null;
  /** The message's text, shortened to maxMessageText. */
  text?: string;
  /** Names of the tools this message called. */
  tool_calls?: string[];
}

/**
 * What a task may pass as metadata.resume_session_id: agent session ids are letters, digits, "_"
 * and "-" (OpenCode ses_..., uuids, aider-<task id>). Anything else could not be resumed and would
 * only fail on the worker.
 */
export const RESUMABLE_SESSION_ID = /^[A-Za-z0-9_-]{1,200}$/;
export const RESUMABLE_SESSION_ID_RULE = '1-200 letters, digits, "_" or "-"';

export const isResumableSessionId = (id: string): boolean => RESUMABLE_SESSION_ID.test(id);

export interface SyncedSession {
  /** The CLI's own session id (what `resume_session_id` takes). */
  id: string;
  /** The tool that owns the session: opencode (default), claude_code, codex, gemini. */
  agent_type?: string;
  title?: string | null;
  created_at?: string | null;
  updated_at?: string | null;
  message_count?: number;
  /** Tool name -> calls in this session. */
  tool_usage?: Record<string, number>;
  /** A short summary for lists and search; default: the first user message of `messages`. */
  summary?: string | null;
  /**
   * The most recent messages, oldest first; they replace the stored ones (seq = position).
   * Omitted: the stored messages are kept. Message ids must be unique within a session.
   */
  messages?: SyncedSessionMessage[];
}

export interface SessionSyncRequest {
  worker_id: string;
  sessions: SyncedSession[];
}

/** A session the sync did not store, and why (e.g. its id belongs to another codebase). */
export interface RejectedSession {
  id: string;
  reason: string;
}

export interface SessionSyncResponse {
  codebase_id: string;
  /** Sessions created or updated by this request. */
  synced: number;
  synced_at: string;
  /** Sessions left untouched; the rest of the request was stored. */
  rejected?: RejectedSession[];
}

/** `GET /codebases/:id/sessions`: most recently updated first. */
export interface SessionPage {
  sessions: SessionView[];
  next_cursor: string | null;
}

/** `GET /codebases/:id/sessions/:sid/messages`: conversation order. */
export interface SessionMessagePage {
  messages: SessionMessageView[];
  next_cursor: string | null;
}

export interface SessionView {
  id: string;
  codebase_id: string | null;
  worker_id: string | null;
  agent_type: string;
  title: string | null;
  summary: string | null;
  created_at: string | null;
  updated_at: string | null;
  message_count: number;
  tool_usage: Record<string, number>;
  synced_at: string;
}

export interface SessionMessageView {
  id: string;
  role: string;
  seq: number;
  created_at: string | null;
  text: string;
  tool_calls: string[];
}

export interface SessionDetailView extends SessionView {
  messages: SessionMessageView[];
}

/** `POST /codebases/:id/sessions/:sid/resume`: a continuation task on the owning worker. */
export interface ResumeSessionRequest {
  prompt: string;
  title?: string;
  priority?: number;
  metadata?: Record<string, unknown>;
}
