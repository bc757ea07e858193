import { basicAuthPassword } from './board-auth';
import { boardQueueNames } from './board-queue-names';

const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

describe('basicAuthPassword', () => {
  it('takes the password (an admin token) and ignores the user name', () => {
    expect(basicAuthPassword(basic('ops:secret-token'))).toBe('secret-token');
    expect(basicAuthPassword(basic(':secret-token'))).toBe('secret-token');
    expect(basicAuthPassword(`basic  ${Buffer.from('a:b').toString('base64')} `)).toBe('b');
    // Tokens may contain ":"; only the first one separates the user.
    expect(basicAuthPassword(basic('ops:tok:en'))).toBe('tok:en');
  });

  it('gives null for other schemes, a missing password and garbage', () => {
    expect(basicAuthPassword(undefined)).toBeNull();
    expect(basicAuthPassword('Bearer abc')).toBeNull();
    expect(basicAuthPassword(basic('ops'))).toBeNull();
    expect(basicAuthPassword(basic('ops:'))).toBeNull();
    expect(basicAuthPassword('Basic not base64 at all')).toBeNull();
  });
});

describe('boardQueueNames', () => {
  it('lists the fixed queues, then codebases and workers, sorted and without duplicates', () => {
    expect(boardQueueNames(['cb_b', 'cb_a', 'cb_b'], ['w2', 'w1'])).toEqual([
      'codebase-registration',
      'email-outbound',
      'codebase-cb_a',
      'codebase-cb_b',
      'worker-w1',
      'worker-w2',
    ]);
  });
});
