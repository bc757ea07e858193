/** Time as an injectable edge, so loops and timeouts are testable without real waiting. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** `base` seconds give or take `fraction` of it, so a fleet's loops do not line up. */
export function jittered(baseMs: number, fraction = 0.1, random: () => number = Math.random): number {
  return Math.max(0, Math.round(baseMs * (1 + (random() * 2 - 1) * fraction)));
}
