import type { CodebaseRef, CodebaseView } from '#contracts';
import { iso } from '../workers/worker-view';
import type { CodebaseEntity } from './codebase.entity';

/** `notification_email` appears only when set, so the documented shape is unchanged otherwise. */
export const toCodebaseView = (c: CodebaseEntity): CodebaseView => ({
  id: c.id,
  name: c.name,
  path: c.path,
  description: c.description,
  worker_id: c.worker_id,
  status: c.status,
  registered_at: iso(c.registered_at)!,
  ...(c.notification_email ? { notification_email: c.notification_email } : {}),
});

export const toCodebaseRef = (c: CodebaseEntity): CodebaseRef => ({ id: c.id, name: c.name, path: c.path });
