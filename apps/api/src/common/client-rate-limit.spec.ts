import { ClientRateLimit } from './client-rate-limit';

describe('ClientRateLimit', () => {
  it('allows the limit per client per minute, then refuses with the seconds left in the window', () => {
    const limit = new ClientRateLimit(2);
    const t0 = 1_000_000;
    expect(limit.hit('1.1.1.1', t0).allowed).toBe(true);
    expect(limit.hit('1.1.1.1', t0 + 1).allowed).toBe(true);
    expect(limit.hit('1.1.1.1', t0 + 15_000)).toEqual({ allowed: false, retryAfterS: 45 });
    expect(limit.hit('2.2.2.2', t0 + 15_000).allowed).toBe(true);
    expect(limit.hit('1.1.1.1', t0 + 60_000).allowed).toBe(true);
  });

  it('is off at 0', () => {
    const limit = new ClientRateLimit(0);
    for (let i = 0; i < 1000; i++) expect(limit.hit('x').allowed).toBe(true);
  });

  it('when full, forgets the oldest windows only: a flood of new addresses does not reset everyone', () => {
    const limit = new ClientRateLimit(1, 3);
    const t0 = 1_000_000;
    limit.hit('oldest', t0);
    limit.hit('busy', t0 + 1);
    expect(limit.hit('busy', t0 + 2).allowed).toBe(false);
    limit.hit('flood-1', t0 + 3);
    limit.hit('flood-2', t0 + 4); // full: 'oldest' goes
    expect(limit.trackedClients).toBe(3);
    expect(limit.hit('busy', t0 + 5).allowed).toBe(false); // still limited
    limit.hit('flood-3', t0 + 6); // 'busy' is now the oldest
    expect(limit.hit('busy', t0 + 7).allowed).toBe(true);
    expect(limit.trackedClients).toBe(3);
  });

  it('drops expired windows before live ones', () => {
    const limit = new ClientRateLimit(1, 2);
    limit.hit('stale', 0);
    limit.hit('live', 30_000);
    limit.hit('new', 61_000); // 'stale' expired: it goes, 'live' stays
    expect(limit.hit('live', 61_001).allowed).toBe(false);
  });
});
