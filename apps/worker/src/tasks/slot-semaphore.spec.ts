import { SlotSemaphore, SlotWaitAborted } from './slot-semaphore';

describe('SlotSemaphore', () => {
  it('never hands out more slots than its capacity, and serves waiters in order', async () => {
    const slots = new SlotSemaphore(2);
    const a = await slots.acquire();
    const b = await slots.acquire();
    expect(slots.available).toBe(0);
    const order: string[] = [];
    const c = slots.acquire().then((r) => (order.push('c'), r));
    const d = slots.acquire().then((r) => (order.push('d'), r));
    a();
    a(); // a second release of the same slot does nothing
    const rc = await c;
    expect(order).toEqual(['c']);
    expect(slots.inUse).toBe(2);
    b();
    const rd = await d;
    expect(order).toEqual(['c', 'd']);
    rc();
    rd();
    expect(slots.available).toBe(2);
  });

  it('a waiter can give up', async () => {
    const slots = new SlotSemaphore(1);
    const held = slots.tryAcquire()!;
    const ac = new AbortController();
    const waiting = slots.acquire(ac.signal);
    ac.abort();
    await expect(waiting).rejects.toBeInstanceOf(SlotWaitAborted);
    held();
    expect(slots.available).toBe(1);
    expect(slots.tryAcquire()).not.toBeNull();
  });
});
