import { bearerToken, TokenMatcher } from './token-matcher';

describe('TokenMatcher', () => {
  const matcher = new TokenMatcher([
    { name: 'admin', token: 'admin-token-0123456789' },
    { name: 'worker', token: 'worker-token-0123456789' },
  ]);

  it('names the token that matches', () => {
    expect(matcher.match('worker-token-0123456789')).toBe('worker');
    expect(matcher.match('admin-token-0123456789')).toBe('admin');
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
