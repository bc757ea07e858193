import type { SessionMessageView, SessionView } from '#contracts';
import { iso } from '../workers/worker-view';
import type { SessionMessageEntity } from './session-message.entity';
import type { SessionEntity } from './session.entity';

export const toSessionView = (s: SessionEntity): SessionView => ({
  id: s.id,
  codebase_id: s.codebase_id,
  worker_id: s.worker_id,
  agent_type: s.agent_type,
  title: s.title,
  summary: s.summary,
  created_at: iso(s.created),
  updated_at: iso(s.updated),
  message_count: s.message_count,
  tool_usage: s.tool_usage ?? {},
  synced_at: iso(s.synced_at)!,
});

export function toSessionMessageView(m: SessionMessageEntity): SessionMessageView {
  const content = (m.content ?? {}) as { tool_calls?: unknown };
  return {
    id: m.id,
    role: m.role,
    seq: m.seq,
    created_at: iso(m.created),
    text: m.text,
    tool_calls: Array.isArray(content.tool_calls) ? content.tool_calls.filter((t): t is string => typeof t === 'string') : [],
  };
}
