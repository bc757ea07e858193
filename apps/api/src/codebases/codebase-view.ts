import type { CodebaseRef, CodebaseView } from '#contracts';
import { iso } from '../workers/worker-view';
import type { CodebaseEntity } from './codebase.entity';

export const toCodebaseView = (c: CodebaseEntity): CodebaseView => ({
  id: c.id,
  name: c.name,
  path: c.path,
  description: c.description,
  worker_id: c.worker_id,
  status: c.status,
  registered_at: iso(c.registered_at)!,
});

export const toCodebaseRef = (c: CodebaseEntity): CodebaseRef => ({ id: c.id, name: c.name, path: c.path });
