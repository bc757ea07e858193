import { Injectable } from '@nestjs/common';
import type { SessionDetailView, SessionMessagePage, SessionPage } from '#contracts';
import { decodeCursor, encodeCursor, type PageCursor } from '#domain';
import { apiError, notFound } from '../common/api-error';
import { CodebaseRepository } from '../codebases/codebase.repository';
import { iso } from '../workers/worker-view';
import {
  DEFAULT_DETAIL_MESSAGES,
  DEFAULT_MESSAGE_PAGE,
  DEFAULT_SESSION_PAGE,
  type ListSessionMessagesQuery,
  type ListSessionsQuery,
} from './dto/list-sessions.query';
import { decodeMessageCursor, encodeMessageCursor } from './message-cursor';
import { containsPattern, SessionRepository } from './session.repository';
import type { SessionEntity } from './session.entity';
import { toolOfSession } from './session-tool';
import { toSessionMessageView, toSessionView } from './session-view';

const badCursor = (err: unknown) =>
  apiError(400, `Invalid cursor: ${(err as Error).message}`, [{ field: 'cursor', problems: [(err as Error).message] }]);

/** Read side: sessions of a codebase that exists (deleted codebases are invisible, as elsewhere). */
@Injectable()
export class SessionsService {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly codebases: CodebaseRepository,
  ) {}

  async list(codebaseId: string, query: ListSessionsQuery): Promise<SessionPage> {
    await this.requireCodebase(codebaseId);
    const limit = query.limit ?? DEFAULT_SESSION_PAGE;
    let cursor: PageCursor | null = null;
    if (query.cursor) {
      try {
        cursor = decodeCursor(query.cursor);
      } catch (err) {
        throw badCursor(err);
      }
    }
    const q = query.q?.trim();
    const rows = await this.sessions.list(
      codebaseId,
      { agent_type: query.agent_type ? toolOfSession(query.agent_type) : undefined, pattern: q ? containsPattern(q) : undefined },
      cursor,
      limit,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      sessions: page.map(toSessionView),
      // Sessions page by last update: the shared cursor's createdAt field carries `updated` here.
      next_cursor: rows.length > limit && last ? encodeCursor({ createdAt: iso(last.updated)!, id: last.id }) : null,
    };
  }

  async get(codebaseId: string, sessionId: string, messagesLimit = DEFAULT_DETAIL_MESSAGES): Promise<SessionDetailView> {
    const session = await this.find(codebaseId, sessionId);
    const messages = await this.sessions.lastMessages(session.id, messagesLimit);
    return { ...toSessionView(session), messages: messages.map(toSessionMessageView) };
  }

  async messages(codebaseId: string, sessionId: string, query: ListSessionMessagesQuery): Promise<SessionMessagePage> {
    const session = await this.find(codebaseId, sessionId);
    const limit = query.limit ?? DEFAULT_MESSAGE_PAGE;
    let after: number | null = null;
    if (query.cursor) {
      try {
        after = decodeMessageCursor(query.cursor);
      } catch (err) {
        throw badCursor(err);
      }
    }
    const rows = await this.sessions.messagesAfter(session.id, after, limit);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { messages: page.map(toSessionMessageView), next_cursor: rows.length > limit && last ? encodeMessageCursor(last.seq) : null };
  }

  /** The session, only as part of this (existing) codebase. */
  async find(codebaseId: string, sessionId: string): Promise<SessionEntity> {
    await this.requireCodebase(codebaseId);
    const session = await this.sessions.findInCodebase(codebaseId, sessionId);
    if (!session) throw apiError(404, `session ${sessionId} not found in codebase ${codebaseId}`);
    return session;
  }

  private async requireCodebase(codebaseId: string): Promise<void> {
    const codebase = await this.codebases.findById(codebaseId);
    if (!codebase || codebase.status === 'deleted') throw notFound('codebase', codebaseId);
  }
}
