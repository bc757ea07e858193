import { Injectable } from '@nestjs/common';
import type { PageCursor } from '#domain';
import { Sql } from '../database/sql';
import type { SessionMessageEntity } from './session-message.entity';
import type { SessionEntity } from './session.entity';

/** A session row as a sync writes it (every column; the use case merged it with the stored row). */
export interface SessionWrite {
  id: string;
  agent_type: string;
  title: string | null;
  summary: string | null;
  created: string | null;
  /** Never null: lists are ordered and paged on it. */
  updated: string;
  message_count: number;
  tool_usage: Record<string, number>;
}

export interface MessageWrite {
  session_id: string;
  id: string;
  role: string;
  seq: number;
  text: string;
  content: { tool_calls: string[] };
  created: string | null;
}

export interface SessionFilter {
  agent_type?: string;
  /** Already a LIKE pattern with %/_ escaped. */
  pattern?: string;
}

/** What a finished task knows about the session its agent used. */
export interface SessionFromTask {
  id: string;
  codebase_id: string;
  worker_id: string;
  agent_type: string;
  title: string;
  summary: string;
  created: Date;
  updated: Date;
}

/** Escapes LIKE wildcards so `q` matches literally (ESCAPE '\'). */
export const containsPattern = (q: string): string => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

@Injectable()
export class SessionRepository {
  constructor(private readonly sql: Sql) {}

  /** Locks the stored rows of these ids (in id order, so concurrent syncs cannot deadlock). */
  lockMany(ids: string[]): Promise<SessionEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.sql.rows<SessionEntity>(`SELECT * FROM sessions WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`, [ids]);
  }

  /**
   * Inserts or overwrites the rows; a row whose id another codebase stored meanwhile is left
   * alone (the guard), so the caller gets back only the ids it really wrote.
   */
  async upsertMany(codebaseId: string, workerId: string, rows: SessionWrite[], syncedAt: Date): Promise<string[]> {
    if (rows.length === 0) return [];
    const written = await this.sql.rows<{ id: string }>(
      `INSERT INTO sessions (id, codebase_id, worker_id, agent_type, title, summary, created, updated, message_count, tool_usage, synced_at)
       SELECT r.id, $2, $3, r.agent_type, r.title, r.summary, r.created, r.updated, r.message_count, r.tool_usage, $4
       FROM jsonb_to_recordset($1::jsonb) AS r(id text, agent_type text, title text, summary text, created timestamptz,
                                               updated timestamptz, message_count integer, tool_usage jsonb)
       ON CONFLICT (id) DO UPDATE SET
         worker_id = EXCLUDED.worker_id, agent_type = EXCLUDED.agent_type, title = EXCLUDED.title, summary = EXCLUDED.summary,
         created = EXCLUDED.created, updated = EXCLUDED.updated, message_count = EXCLUDED.message_count,
         tool_usage = EXCLUDED.tool_usage, synced_at = EXCLUDED.synced_at
       WHERE sessions.codebase_id = EXCLUDED.codebase_id
       RETURNING id`,
      [JSON.stringify(rows), codebaseId, workerId, syncedAt],
    );
    return written.map((r) => r.id);
  }

  /** The sessions' messages become exactly these. */
  async replaceMessages(sessionIds: string[], messages: MessageWrite[]): Promise<void> {
    if (sessionIds.length === 0) return;
    await this.sql.rows(`DELETE FROM session_messages WHERE session_id = ANY($1::text[])`, [sessionIds]);
    if (messages.length === 0) return;
    await this.sql.rows(
      `INSERT INTO session_messages (session_id, id, role, seq, text, content, created)
       SELECT m.session_id, m.id, m.role, m.seq, m.text, m.content, m.created
       FROM jsonb_to_recordset($1::jsonb) AS m(session_id text, id text, role text, seq integer, text text, content jsonb, created timestamptz)`,
      [JSON.stringify(messages)],
    );
  }

  /**
   * A session a finished task revealed, before the worker syncs it: created if unknown, its
   * `updated` moved forward if this codebase already has it, left alone if another one does.
   */
  async recordFromTask(s: SessionFromTask): Promise<void> {
    await this.sql.rows(
      `INSERT INTO sessions (id, codebase_id, worker_id, agent_type, title, summary, created, updated, message_count, synced_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $8)
       ON CONFLICT (id) DO UPDATE SET updated = GREATEST(sessions.updated, EXCLUDED.updated)
       WHERE sessions.codebase_id = EXCLUDED.codebase_id`,
      [s.id, s.codebase_id, s.worker_id, s.agent_type, s.title, s.summary, s.created, s.updated],
    );
  }

  findInCodebase(codebaseId: string, id: string): Promise<SessionEntity | null> {
    return this.sql.one<SessionEntity>(`SELECT * FROM sessions WHERE id = $1 AND codebase_id = $2`, [id, codebaseId]);
  }

  /** Most recently updated first, keyset-paginated on (updated, id); returns up to `limit + 1` rows. */
  list(codebaseId: string, filter: SessionFilter, cursor: PageCursor | null, limit: number): Promise<SessionEntity[]> {
    const params: unknown[] = [codebaseId];
    const param = (v: unknown): string => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = ['s.codebase_id = $1'];
    if (filter.agent_type) where.push(`s.agent_type = ${param(filter.agent_type)}`);
    if (filter.pattern) {
      const p = param(filter.pattern);
      where.push(`(s.title ILIKE ${p} ESCAPE '\\' OR s.summary ILIKE ${p} ESCAPE '\\'
                   OR EXISTS (SELECT 1 FROM session_messages m WHERE m.session_id = s.id AND m.text ILIKE ${p} ESCAPE '\\'))`);
    }
    // cursor.createdAt is the `updated` of the previous page's last session (sessions page by last update).
    if (cursor) where.push(`(s.updated, s.id) < (${param(cursor.createdAt)}::timestamptz, ${param(cursor.id)})`);
    return this.sql.rows<SessionEntity>(
      `SELECT s.* FROM sessions s WHERE ${where.join(' AND ')}
       ORDER BY s.updated DESC, s.id DESC LIMIT ${param(limit + 1)}`,
      params,
    );
  }

  /** The most recent `limit` messages, in conversation order. */
  lastMessages(sessionId: string, limit: number): Promise<SessionMessageEntity[]> {
    return this.sql.rows<SessionMessageEntity>(
      `SELECT * FROM (SELECT * FROM session_messages WHERE session_id = $1 ORDER BY seq DESC, id DESC LIMIT $2) recent
       ORDER BY seq, id`,
      [sessionId, limit],
    );
  }

  /** Conversation order after `afterSeq`; returns up to `limit + 1` rows. */
  messagesAfter(sessionId: string, afterSeq: number | null, limit: number): Promise<SessionMessageEntity[]> {
    return this.sql.rows<SessionMessageEntity>(
      `SELECT * FROM session_messages WHERE session_id = $1 AND ($2::int IS NULL OR seq > $2) ORDER BY seq, id LIMIT $3`,
      [sessionId, afterSeq, limit + 1],
    );
  }
}
