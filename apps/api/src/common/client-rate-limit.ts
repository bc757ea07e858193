import type { ApiResponse } from './http-types';

/**
 * Per-client fixed one-minute windows, in memory per replica (like the app's ThrottlerModule
 * storage), for routes outside the Nest throttler: the public inbound email webhook and the queue
 * board. Callers key it by client address.
 */
export interface RateDecision {
  allowed: boolean;
  /** Seconds until the client's window resets (for Retry-After). */
  retryAfterS: number;
}

const WINDOW_MS = 60_000;
/** At most this many clients are tracked; past it the oldest windows are forgotten first. */
export const MAX_TRACKED_CLIENTS = 10_000;

export class ClientRateLimit {
  /** Insertion order is window start order: a client's new window is re-inserted at the end. */
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly maxClients = MAX_TRACKED_CLIENTS,
  ) {}

  get enabled(): boolean {
    return this.perMinute > 0;
  }

  get trackedClients(): number {
    return this.windows.size;
  }

  hit(client: string, now = Date.now()): RateDecision {
    if (!this.enabled) return { allowed: true, retryAfterS: 0 };
    let w = this.windows.get(client);
    if (!w || now - w.startedAt >= WINDOW_MS) {
      this.windows.delete(client);
      this.makeRoom(now);
      w = { startedAt: now, count: 0 };
      this.windows.set(client, w);
    }
    w.count++;
    const retryAfterS = Math.max(1, Math.ceil((w.startedAt + WINDOW_MS - now) / 1000));
    return { allowed: w.count <= this.perMinute, retryAfterS };
  }

  /**
   * Drops expired windows, then the oldest ones while still full: a flood from many addresses
   * forgets the clients that have waited longest, not everyone's window at once.
   */
  private makeRoom(now: number): void {
    for (const [key, w] of this.windows) {
      if (this.windows.size < this.maxClients && now - w.startedAt < WINDOW_MS) return;
      this.windows.delete(key);
    }
  }
}

/** The one 429 answer of these limiters: the API's error shape and Retry-After. */
export function sendTooManyRequests(res: ApiResponse, decision: RateDecision, what: string): void {
  res.setHeader('Retry-After', String(decision.retryAfterS));
  res.status(429).json({ statusCode: 429, error: 'Too Many Requests', message: `Too many ${what}; retry in ${decision.retryAfterS} s` });
}
