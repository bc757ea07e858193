import { InboundRateLimit } from './inbound-rate-limit';

describe('InboundRateLimit', () => {
  it('allows the limit per client per minute, then refuses with the seconds left in the window', () => {
    const limit = new InboundRateLimit(2);
    const t0 = 1_000_000;
    expect(limit.hit('1.1.1.1', t0).allowed).toBe(true);
    expect(limit.hit('1.1.1.1', t0 + 1).allowed).toBe(true);
    expect(limit.hit('1.1.1.1', t0 + 15_000)).toEqual({ allowed: false, retryAfterS: 45 });
    expect(limit.hit('2.2.2.2', t0 + 15_000).allowed).toBe(true);
    expect(limit.hit('1.1.1.1', t0 + 60_000).allowed).toBe(true);
  });

  it('is off at 0', () => {
    const limit = new InboundRateLimit(0);
    for (let i = 0; i < 1000; i++) expect(limit.hit('x').allowed).toBe(true);
  });
});
