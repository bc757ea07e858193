import type { TaskJob } from '#contracts';

/** Seconds of silence before the agent is stopped: the task's own limit if it set one (0: none), else the worker's. */
export function effectiveIdleTimeoutS(task: Pick<TaskJob, 'idle_timeout_s'>, workerIdleTimeoutS: number): number {
  const own = task.idle_timeout_s;
  return typeof own === 'number' && Number.isInteger(own) && own >= 0 ? own : workerIdleTimeoutS;
}

/**
 * Fires `onFire` once when `feed()` has not been called for `limitMs`. Feeding only records
 * the time (cheap on every chunk of output); the single timer re-arms itself for the rest.
 */
export class IdleWatchdog {
  private last = Date.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly limitMs: number,
    private readonly onFire: () => void,
  ) {
    this.arm(limitMs);
  }

  feed(): void {
    this.last = Date.now();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => {
      const left = this.last + this.limitMs - Date.now();
      if (left > 0) return this.arm(left);
      this.timer = undefined;
      this.onFire();
    }, ms);
    this.timer.unref();
  }
}
