/**
 * Runs `work` every `intervalMs`, never two rounds at once (a slow round skips ticks instead of
 * piling up), and lets shutdown wait for the round in flight.
 */
export class PeriodicRun {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly work: () => Promise<unknown>,
    private readonly onError: (err: Error) => void,
  ) {}

  start(intervalMs: number, runNow = false): void {
    if (runNow) void this.tick();
    this.timer = setInterval(() => void this.tick(), intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private tick(): Promise<unknown> {
    this.running ??= this.work()
      .catch((err: Error) => this.onError(err))
      .finally(() => (this.running = null));
    return this.running;
  }
}
