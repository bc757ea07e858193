import type { SyncedSession } from '#contracts';

/** Request bodies stay well under the API's default body limit (1 MB). */
export const MAX_BATCH_BYTES = 512 * 1024;

const sizeOf = (v: unknown): number => Buffer.byteLength(JSON.stringify(v));

/**
 * Splits sessions into requests of at most `maxBytes` of JSON each, in order. A session too
 * big for a request on its own keeps its most recent messages that fit.
 */
export function fitBatches(sessions: SyncedSession[], maxBytes = MAX_BATCH_BYTES): SyncedSession[][] {
  const batches: SyncedSession[][] = [];
  let current: SyncedSession[] = [];
  let size = 0;
  for (const original of sessions) {
    const session = shrinkToFit(original, maxBytes);
    const bytes = sizeOf(session) + 1;
    if (current.length > 0 && size + bytes > maxBytes) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(session);
    size += bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

function shrinkToFit(session: SyncedSession, maxBytes: number): SyncedSession {
  if (!session.messages || sizeOf(session) <= maxBytes) return session;
  const messages = [...session.messages];
  let bytes = sizeOf({ ...session, messages: [] });
  const kept: typeof messages = [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = sizeOf(messages[i]) + 1;
    if (bytes + m > maxBytes) break;
    kept.unshift(messages[i]);
    bytes += m;
  }
  return { ...session, messages: kept };
}
