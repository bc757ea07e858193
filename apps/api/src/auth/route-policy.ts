/**
 * Which token scopes may call which route (DESIGN 10). Admin tokens may call everything; this
 * table says what client and worker tokens may call. A route missing here is admin-only, so a
 * new route stays closed until someone decides who needs it.
 *
 * Keys are `METHOD path` as declared on the controller, with the canonical /v1/agent prefix
 * (the legacy /v1/opencode aliases share the entry). Public routes (@Public, @PublicWhen) never
 * reach this table.
 */

/**
 * How a worker-scoped token (bound to worker W) shows that a request acts for W:
 * - body.worker_id: the JSON body's worker_id is W (the API's fencing then checks the task);
 * - param.id: the :id path parameter is W;
 * - query.worker_id: the worker_id query parameter is W (the HTTP fallback's poll);
 * - header.worker_id: the worker_id (or X-Worker-Id) header is W (the HTTP fallback's task stream);
 * - task: :id is a task that W runs or that belongs to one of W's codebases;
 * - codebase: :id is one of W's codebases;
 * - any: no binding (the active-worker list the registration hand-off reads).
 */
export type WorkerBinding = 'body.worker_id' | 'param.id' | 'query.worker_id' | 'header.worker_id' | 'task' | 'codebase' | 'any';

export interface RouteRule {
  /** Client tokens (CI, people) may call it. */
  client: boolean;
  /** Worker tokens may call it, for their own worker only (null: never). */
  worker: WorkerBinding | null;
}

const client: RouteRule = { client: true, worker: null };
/** Listed to say so explicitly; a missing row means the same. */
const adminOnly: RouteRule = { client: false, worker: null };
const workerOnly = (binding: WorkerBinding): RouteRule => ({ client: false, worker: binding });
const both = (binding: WorkerBinding): RouteRule => ({ client: true, worker: binding });

export const ROUTE_POLICY: Readonly<Record<string, RouteRule>> = {
  // Tasks
  'POST /v1/agent/tasks': client,
  'GET /v1/agent/tasks': both('query.worker_id'), // workers: the HTTP fallback lists its own pending tasks
  'GET /v1/agent/tasks/:id': both('task'), // workers: reading a claim back after a lost answer
  'POST /v1/agent/tasks/:id/cancel': client,
  'POST /v1/agent/tasks/:id/requeue': client,
  'POST /v1/agent/codebases/:id/tasks': client,
  'GET /v1/agent/tasks/:id/output': both('task'),
  'GET /v1/agent/tasks/:id/output/stream': both('task'),

  // Worker callbacks: the claim, status and output of the tasks it runs
  'PUT /v1/agent/tasks/:id/status': workerOnly('body.worker_id'),
  'POST /v1/agent/tasks/:id/output': workerOnly('body.worker_id'),

  // Workers
  'POST /v1/agent/workers/register': workerOnly('body.worker_id'),
  'POST /v1/agent/workers/:id/heartbeat': workerOnly('param.id'),
  'POST /v1/agent/workers/:id/unregister': workerOnly('param.id'),
  'GET /v1/agent/workers': both('any'),
  'GET /v1/agent/workers/:id': both('param.id'),
  'GET /v1/worker/tasks/stream': workerOnly('header.worker_id'), // the HTTP fallback's task_available stream

  // Codebases: workers register theirs (body worker_id) and read theirs; only clients register by path, edit or delete
  'POST /v1/agent/codebases': both('body.worker_id'),
  'GET /v1/agent/codebases': client,
  'GET /v1/agent/codebases/:id': both('codebase'),
  'PATCH /v1/agent/codebases/:id': client,
  'DELETE /v1/agent/codebases/:id': client,

  // Sessions
  'POST /v1/agent/codebases/:id/sessions/sync': workerOnly('body.worker_id'),
  'GET /v1/agent/codebases/:id/sessions': client,
  'GET /v1/agent/codebases/:id/sessions/:sid': client,
  'GET /v1/agent/codebases/:id/sessions/:sid/messages': client,
  'POST /v1/agent/codebases/:id/sessions/:sid/resume': client,

  // Observability and email tools
  'GET /v1/monitor/workers': client,
  'GET /metrics': client, // when METRICS_PUBLIC=false
  'GET /v1/email/test-reply-address': client,
  'POST /v1/email/test-inbound': client,

  // Token management: whoever holds these can mint any scope
  'POST /v1/admin/tokens': adminOnly,
  'GET /v1/admin/tokens': adminOnly,
  'DELETE /v1/admin/tokens/:id': adminOnly,
};

/** The scopes a route accepts, for the 403 message. */
export function scopesFor(rule: RouteRule | undefined): string[] {
  return ['admin', ...(rule?.client ? ['client'] : []), ...(rule?.worker ? ['worker'] : [])];
}
