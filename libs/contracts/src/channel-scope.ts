/**
 * Pub/sub channels live in the same namespace as the BullMQ queues (`queue_prefix` in the
 * register response), so several deployments or test suites can share one Redis. With the
 * default prefix the channel names are exactly those of events.ts.
 */
export const DEFAULT_QUEUE_PREFIX = 'bull';

export const scopedChannel = (queuePrefix: string, channel: string): string =>
  !queuePrefix || queuePrefix === DEFAULT_QUEUE_PREFIX ? channel : `${queuePrefix}.${channel}`;
