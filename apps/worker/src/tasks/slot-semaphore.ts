/** Released exactly once; later calls do nothing. */
export type Release = () => void;

export class SlotWaitAborted extends Error {
  constructor() {
    super('stopped waiting for a free slot');
    this.name = 'SlotWaitAborted';
  }
}

/**
 * The worker's `max_concurrent` slots across all its codebases. A slot is taken before the
 * claim, so the worker never holds more claimed tasks than it can run. Waiters are served
 * first come, first served.
 */
export class SlotSemaphore {
  private used = 0;
  private readonly waiters: { grant: (r: Release) => void }[] = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`capacity must be a whole number >= 1, got ${capacity}`);
  }

  get available(): number {
    return this.capacity - this.used;
  }

  get inUse(): number {
    return this.used;
  }

  tryAcquire(): Release | null {
    if (this.used >= this.capacity) return null;
    this.used++;
    return this.releaser();
  }

  acquire(signal?: AbortSignal): Promise<Release> {
    const now = this.waiters.length === 0 ? this.tryAcquire() : null;
    if (now) return Promise.resolve(now);
    if (signal?.aborted) return Promise.reject(new SlotWaitAborted());
    return new Promise<Release>((resolve, reject) => {
      const waiter = {
        grant: (release: Release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new SlotWaitAborted());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      // The slot passes straight to the next waiter, so nobody can overtake it.
      if (next) next.grant(this.releaser());
      else this.used--;
    };
  }
}
