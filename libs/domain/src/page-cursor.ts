/** Opaque keyset cursor for newest-first listings: (created_at, id) of the last row served. */
export interface PageCursor {
  createdAt: string;
  id: string;
}

export const encodeCursor = (c: PageCursor): string => Buffer.from(JSON.stringify([c.createdAt, c.id])).toString('base64url');

export function decodeCursor(raw: string): PageCursor {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && typeof id === 'string' && !Number.isNaN(Date.parse(createdAt))) {
      return { createdAt, id };
    }
  } catch {
    // fall through to the error below
  }
  throw new Error('cursor is not one this API issued');
}
