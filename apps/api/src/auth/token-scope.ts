/**
 * Token scopes (DESIGN 10). A token in A2A_AUTH_TOKENS is `name[@scope[/worker_id]]:token`:
 * no scope means admin, so `name:token` entries from before scopes keep full access.
 */

/** Same rule as the API's WORKER_ID_PATTERN (register-worker.dto), kept here so config loading stays free of DTO imports. */
const WORKER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const TOKEN_SCOPES = ['admin', 'client', 'worker'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** Who a token speaks for; never carries the token itself. */
export interface TokenIdentity {
  name: string;
  scope: TokenScope;
  /** Only for the worker scope: the one worker id the token may act as. */
  workerId?: string;
}

const isScope = (value: string): value is TokenScope => (TOKEN_SCOPES as readonly string[]).includes(value);

/** `name`, `name@client`, `name@admin`, `name@worker/<id>` -> identity, or a message saying what is wrong. */
export function parseTokenIdentity(label: string): TokenIdentity | string {
  const at = label.indexOf('@');
  const name = (at < 0 ? label : label.slice(0, at)).trim();
  if (!name) return 'the name before "@" is empty';
  if (at < 0) return { name, scope: 'admin' };

  const scoped = label.slice(at + 1).trim();
  const slash = scoped.indexOf('/');
  const scope = slash < 0 ? scoped : scoped.slice(0, slash);
  const workerId = slash < 0 ? undefined : scoped.slice(slash + 1);
  if (!isScope(scope)) return `unknown scope "${scope}"; use admin, client or worker/<worker_id>`;
  if (scope !== 'worker') {
    return workerId === undefined ? { name, scope } : `scope ${scope} takes no worker id (only worker/<worker_id> does)`;
  }
  if (!workerId) return 'scope worker needs the worker id it is bound to: name@worker/<worker_id>';
  if (!WORKER_ID.test(workerId)) return `"${workerId}" is not a valid worker id (1-128 letters, digits, ".", "_" or "-")`;
  return { name, scope, workerId };
}

/** `ci@client`, `box1@worker/box1`, `ops@admin`: what the request log shows as the principal. */
export const describeIdentity = (id: TokenIdentity): string => `${id.name}@${id.scope}${id.workerId ? `/${id.workerId}` : ''}`;
