import { bearerToken, TokenMatcher } from './token-matcher';

describe('TokenMatcher', () => {
  const matcher = new TokenMatcher([
    { name: 'admin', scope: 'admin', token: 'admin-token-0123456789' },
    { name: 'box', scope: 'worker', workerId: 'box-1', token: 'worker-token-0123456789' },
  ]);

  it('gives the identity of the token that matches, never the token', () => {
    expect(matcher.match('worker-token-0123456789')).toEqual({ name: 'box', scope: 'worker', workerId: 'box-1' });
    expect(matcher.match('admin-token-0123456789')).toEqual({ name: 'admin', scope: 'admin' });
  });

  it('rejects near misses and other lengths', () => {
    expect(matcher.match('admin-token-012345678')).toBeNull();
    expect(matcher.match('admin-token-0123456789x')).toBeNull();
    expect(matcher.match('')).toBeNull();
  });
});

describe('bearerToken', () => {
  it('reads the Bearer scheme only', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
    expect(bearerToken('Bearer')).toBeNull();
  });
});
