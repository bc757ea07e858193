import { CODEBASE_REGISTRATION_QUEUE, codebaseQueueName, workerQueueName } from '#domain';
import { EMAIL_OUTBOUND_QUEUE } from '../email/email-notification.service';

/** Queues that exist whatever codebases and workers there are. */
export const FIXED_BOARD_QUEUES: readonly string[] = [CODEBASE_REGISTRATION_QUEUE, EMAIL_OUTBOUND_QUEUE];

/** The queues the board shows: the fixed ones, then one per active codebase and per active worker, each sorted. */
export function boardQueueNames(codebaseIds: string[], workerIds: string[]): string[] {
  const sorted = (ids: string[]) => [...new Set(ids)].sort();
  return [...FIXED_BOARD_QUEUES, ...sorted(codebaseIds).map(codebaseQueueName), ...sorted(workerIds).map(workerQueueName)];
}
