import { chunkFrom, endOf } from './output-slice';

describe('chunkFrom', () => {
  const chunk = { offset: 10, data: 'héllo', bytes: 6 };

  it('returns the whole chunk when reading from its start or before', () => {
    expect(chunkFrom(chunk, 10)).toEqual({ offset: 10, data: 'héllo' });
    expect(chunkFrom(chunk, 0)).toEqual({ offset: 10, data: 'héllo' });
  });

  it('cuts at a byte offset inside the chunk', () => {
    expect(chunkFrom(chunk, 13)).toEqual({ offset: 13, data: 'llo' });
  });

  it('never starts inside a multi-byte character', () => {
    // 'é' occupies bytes 11-12; starting at 12 moves to the next whole character.
    expect(chunkFrom(chunk, 12)).toEqual({ offset: 13, data: 'llo' });
  });

  it('computes the end offset in bytes', () => {
    expect(endOf({ offset: 10, data: 'héllo' })).toBe(16);
  });
});
