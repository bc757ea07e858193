import { Injectable, Logger } from '@nestjs/common';
import { type RejectedSession, SESSION_SYNC_LIMITS, type SessionSyncResponse } from '#contracts';
import { apiError, conflict, notFound } from '../../common/api-error';
import { CodebaseRepository } from '../../codebases/codebase.repository';
import { Sql } from '../../database/sql';
import { iso } from '../../workers/worker-view';
import type { SessionSyncRequestDto, SyncedSessionDto } from '../dto/sync-sessions.dto';
import { toIso } from '../dto/timestamp.validator';
import type { SessionEntity } from '../session.entity';
import { type MessageWrite, SessionRepository, type SessionWrite } from '../session.repository';
import { cleanOptionalText, cleanText } from '../session-text';
import { toolOfSession } from '../session-tool';

const { maxMessageText, maxTitle } = SESSION_SYNC_LIMITS;

/**
 * Worker pushes the sessions its CLIs stored for a codebase. Incremental: sessions not named
 * are kept, fields not given keep their stored value, and `messages` (when given) replace the
 * session's messages. One transaction: a sync is stored whole or not at all.
 */
@Injectable()
export class SyncSessionsUseCase {
  private readonly logger = new Logger(SyncSessionsUseCase.name);

  constructor(
    private readonly sql: Sql,
    private readonly codebases: CodebaseRepository,
    private readonly sessions: SessionRepository,
  ) {}

  async execute(codebaseId: string, req: SessionSyncRequestDto): Promise<SessionSyncResponse> {
    assertUniqueIds(req.sessions);
    const now = new Date();
    const result = await this.sql.transaction(async () => {
      // Share lock: a concurrent delete of the codebase waits for this sync (or comes first: 404).
      const codebase = await this.codebases.shareLockById(codebaseId);
      if (!codebase || codebase.status === 'deleted') throw notFound('codebase', codebaseId);
      if (codebase.worker_id !== req.worker_id) {
        throw conflict(`worker ${req.worker_id} does not own codebase ${codebaseId} (it lives on worker ${codebase.worker_id ?? 'none'})`);
      }
      const stored = new Map((await this.sessions.lockMany(req.sessions.map((s) => s.id))).map((s) => [s.id, s]));
      const rejected: RejectedSession[] = [];
      const rows: SessionWrite[] = [];
      for (const item of req.sessions) {
        const existing = stored.get(item.id);
        if (existing && existing.codebase_id !== codebaseId) rejected.push(ownedElsewhere(item.id));
        else rows.push(mergeSession(item, existing, now));
      }
      // Written in id order, like the locks above, so concurrent syncs cannot deadlock on new ids.
      rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const written = new Set(await this.sessions.upsertMany(codebaseId, req.worker_id, rows, now));
      // Inserted meanwhile by a sync of another codebase: the guard kept it, so it is theirs.
      for (const row of rows) if (!written.has(row.id)) rejected.push(ownedElsewhere(row.id));
      const withMessages = req.sessions.filter((s) => s.messages && written.has(s.id));
      await this.sessions.replaceMessages(
        withMessages.map((s) => s.id),
        withMessages.flatMap((s) => s.messages!.map((msg, seq) => toMessageWrite(s.id, msg, seq))),
      );
      return { synced: written.size, rejected };
    });
    if (result.rejected.length) {
      this.logger.warn({ msg: 'session sync rejected sessions of another codebase', codebase_id: codebaseId, worker_id: req.worker_id, session_ids: result.rejected.map((r) => r.id) });
    }
    return { codebase_id: codebaseId, synced: result.synced, synced_at: iso(now)!, rejected: result.rejected };
  }
}

const ownedElsewhere = (id: string): RejectedSession => ({ id, reason: `session ${id} belongs to another codebase` });

/** A sync that names a session twice (or a message twice in one session) is ambiguous: 400. */
function assertUniqueIds(sessions: SyncedSessionDto[]): void {
  const problems: { field: string; problems: string[] }[] = [];
  const seen = new Set<string>();
  sessions.forEach((s, i) => {
    if (seen.has(s.id)) problems.push({ field: `sessions.${i}.id`, problems: [`session ${s.id} appears more than once`] });
    seen.add(s.id);
    const messageIds = new Set<string>();
    s.messages?.forEach((msg, j) => {
      if (messageIds.has(msg.id)) problems.push({ field: `sessions.${i}.messages.${j}.id`, problems: [`message ${msg.id} appears more than once in session ${s.id}`] });
      messageIds.add(msg.id);
    });
  });
  if (problems.length) throw apiError(400, `Invalid request: ${problems.map((p) => p.problems.join(', ')).join('; ')}`, problems);
}

/** What is given wins; what is not keeps the stored value. `updated` is never null (lists order on it). */
function mergeSession(item: SyncedSessionDto, existing: SessionEntity | undefined, now: Date): SessionWrite {
  const firstUserText = item.messages?.find((msg) => msg.role === 'user' && msg.text?.trim())?.text;
  const created = toIso(item.created_at) ?? iso(existing?.created) ?? null;
  return {
    id: item.id,
    agent_type: item.agent_type ? toolOfSession(item.agent_type) : (existing?.agent_type ?? toolOfSession(null)),
    title: cleanOptionalText(item.title, maxTitle) ?? existing?.title ?? null,
    summary: cleanOptionalText(item.summary ?? firstUserText, maxTitle) ?? existing?.summary ?? null,
    created,
    updated: toIso(item.updated_at) ?? iso(existing?.updated) ?? created ?? now.toISOString(),
    message_count: item.message_count ?? (item.messages ? item.messages.length : (existing?.message_count ?? 0)),
    tool_usage: item.tool_usage ?? existing?.tool_usage ?? {},
  };
}

function toMessageWrite(sessionId: string, msg: NonNullable<SyncedSessionDto['messages']>[number], seq: number): MessageWrite {
  return {
    session_id: sessionId,
    id: msg.id,
    role: msg.role,
    seq,
    text: cleanText(msg.text ?? '', maxMessageText),
    content: { tool_calls: (msg.tool_calls ?? []).map((t) => cleanText(t, 200)).filter(Boolean) },
    created: toIso(msg.created_at),
  };
}
