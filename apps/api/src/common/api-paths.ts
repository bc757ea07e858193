import { API_PREFIX, LEGACY_API_PREFIX } from '#contracts';

/**
 * Every worker-protocol route answers under the canonical prefix and the older documented one:
 * `agentPaths('tasks')` -> ['v1/agent/tasks', 'v1/opencode/tasks'].
 */
export const agentPaths = (resource: string): string[] =>
  [API_PREFIX, LEGACY_API_PREFIX].map((prefix) => `${prefix.replace(/^\//, '')}/${resource}`);
