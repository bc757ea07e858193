import { effectiveIdleTimeoutS, IdleWatchdog } from './watchdog';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('IdleWatchdog', () => {
  it('fires once after the limit without feeding', async () => {
    const fired: number[] = [];
    const t0 = Date.now();
    const w = new IdleWatchdog(100, () => fired.push(Date.now() - t0));
    await sleep(300);
    w.stop();
    expect(fired).toHaveLength(1);
    expect(fired[0]).toBeGreaterThanOrEqual(95);
  });

  it('feeding pushes the deadline back; stop prevents firing', async () => {
    let fired = 0;
    const w = new IdleWatchdog(100, () => fired++);
    for (let i = 0; i < 5; i++) {
      await sleep(50);
      w.feed();
    }
    expect(fired).toBe(0);
    await sleep(200);
    expect(fired).toBe(1);
    const s = new IdleWatchdog(50, () => fired++);
    s.stop();
    await sleep(120);
    expect(fired).toBe(1);
  });
});

describe('effectiveIdleTimeoutS', () => {
  it("uses the task's metadata.idle_timeout_s over the worker's, 0 meaning no idle watchdog", () => {
    expect(effectiveIdleTimeoutS({ idle_timeout_s: 3 }, 1800)).toBe(3);
    expect(effectiveIdleTimeoutS({ idle_timeout_s: 0 }, 1800)).toBe(0);
  });

  it("falls back to the worker's idle_timeout_s when the task sets none", () => {
    expect(effectiveIdleTimeoutS({ idle_timeout_s: null }, 1800)).toBe(1800);
    expect(effectiveIdleTimeoutS({}, 600)).toBe(600);
  });
});
