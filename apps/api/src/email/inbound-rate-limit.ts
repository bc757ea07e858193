/**
 * Per-client fixed one-minute windows for the public inbound webhook. It is checked before the
 * credentials and before anything is recorded, so a flood neither guesses passwords quickly nor
 * fills the emails table. In memory per replica, like the app's ThrottlerModule storage.
 */
export interface RateDecision {
  allowed: boolean;
  /** Seconds until the client's window resets (for Retry-After). */
  retryAfterS: number;
}

const WINDOW_MS = 60_000;
/** Forget idle clients once this many are tracked, so the map cannot grow without bound. */
const MAX_TRACKED_CLIENTS = 10_000;

export class InboundRateLimit {
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  constructor(private readonly perMinute: number) {}

  get enabled(): boolean {
    return this.perMinute > 0;
  }

  hit(client: string, now = Date.now()): RateDecision {
    if (!this.enabled) return { allowed: true, retryAfterS: 0 };
    let w = this.windows.get(client);
    if (!w || now - w.startedAt >= WINDOW_MS) {
      if (!w && this.windows.size >= MAX_TRACKED_CLIENTS) this.dropExpired(now);
      w = { startedAt: now, count: 0 };
      this.windows.set(client, w);
    }
    w.count++;
    const retryAfterS = Math.max(1, Math.ceil((w.startedAt + WINDOW_MS - now) / 1000));
    return { allowed: w.count <= this.perMinute, retryAfterS };
  }

  private dropExpired(now: number): void {
    for (const [key, w] of this.windows) if (now - w.startedAt >= WINDOW_MS) this.windows.delete(key);
    // Still full (a real flood from many addresses): start over rather than grow.
    if (this.windows.size >= MAX_TRACKED_CLIENTS) this.windows.clear();
  }
}
