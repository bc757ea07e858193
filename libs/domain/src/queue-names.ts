/** Queue naming (DESIGN 4.1). No ':' in names; Redis Cluster deployments set a `{codefleet}` prefix. */
export const CODEBASE_REGISTRATION_QUEUE = 'codebase-registration';
export const codebaseQueueName = (codebaseId: string): string => `codebase-${codebaseId}`;
export const workerQueueName = (workerId: string): string => `worker-${workerId}`;
export const queueNameForTask = (codebaseId: string | null, workerId: string): string =>
  codebaseId ? codebaseQueueName(codebaseId) : workerQueueName(workerId);

/**
 * Job id = task id plus the generation it was enqueued for: adding the same generation twice
 * is a no-op (the reconciler relies on it), while a requeued task gets a fresh job.
 */
export const jobIdFor = (taskId: string, attempt: number): string => `${taskId}.${attempt}`;
