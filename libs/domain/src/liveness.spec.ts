import { DEFAULT_LIVENESS, offlineCutoff, workerStatusAt } from './liveness';

const now = new Date('2026-11-23T10:00:00Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000);

describe('worker liveness from heartbeat age (10 s heartbeats, offline after 3 missed)', () => {
  it.each([
    [0, 'active'],
    [15, 'active'],
    [16, 'stale'],
    [30, 'stale'],
    [31, 'offline'],
  ])('%i s since the last heartbeat is %s', (age, status) => {
    expect(workerStatusAt(ago(age), now, DEFAULT_LIVENESS)).toBe(status);
  });

  it('a worker that never sent a heartbeat is offline', () => {
    expect(workerStatusAt(null, now, DEFAULT_LIVENESS)).toBe('offline');
  });

  it('the offline cutoff follows the policy', () => {
    expect(offlineCutoff(now, { heartbeatIntervalS: 2, offlineAfterMissed: 5 })).toEqual(ago(10));
  });
});
