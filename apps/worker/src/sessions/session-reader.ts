import type { SyncedSession } from '#contracts';

export interface ListOptions {
  /**
   * True when the control plane already has this session as it is now (same updated_at).
   * A reader whose messages are expensive to get (OpenCode: one process per session) may
   * then leave `messages` out.
   */
  isUnchanged?: (id: string, updatedAt: string | null) => boolean;
  /** The worker is shutting down: stop early (child processes are killed). */
  signal?: AbortSignal;
}

/** Reads one agent CLI's own session store for the sessions started in a codebase directory. */
export interface SessionReader {
  /** The tool name, as tasks and the catalog spell it (also the sessions' agent_type). */
  readonly tool: string;
  /** Most recently updated first. Never throws on a malformed or half-written store entry. */
  list(codebasePath: string, opts?: ListOptions): Promise<SyncedSession[]>;
}

/** Newest first by updated_at (ISO strings sort by time). */
export function byUpdatedDesc(a: SyncedSession, b: SyncedSession): number {
  return (b.updated_at ?? '').localeCompare(a.updated_at ?? '');
}
