/** Opaque cursor of a message page: the seq of the last message served. */
export const encodeMessageCursor = (seq: number): string => Buffer.from(JSON.stringify({ seq })).toString('base64url');

export function decodeMessageCursor(raw: string): number {
  try {
    const { seq } = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { seq?: unknown };
    if (Number.isSafeInteger(seq) && (seq as number) >= 0) return seq as number;
  } catch {
    // fall through to the error below
  }
  throw new Error('cursor is not one this API issued');
}
