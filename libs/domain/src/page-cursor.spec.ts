import { decodeCursor, encodeCursor } from './page-cursor';

describe('page cursors', () => {
  it('round-trips and stays opaque', () => {
    const c = { createdAt: '2026-11-23T10:00:00.123Z', id: 'task_abc' };
    const raw = encodeCursor(c);
    expect(raw).not.toContain('task_abc');
    expect(decodeCursor(raw)).toEqual(c);
  });

  it('rejects cursors it did not issue', () => {
    expect(() => decodeCursor('garbage')).toThrow('cursor is not one this API issued');
    expect(() => decodeCursor(Buffer.from('["not a date","x"]').toString('base64url'))).toThrow();
  });
});
