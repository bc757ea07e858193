import { Inject, Injectable } from '@nestjs/common';
import type { HeartbeatResponse } from '#contracts';
import type { Logger } from 'pino';
import type { WorkerConfig } from '../config/worker-config';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { ApiError } from '../control-plane/http-transport';
import { type Clock, jittered } from '../system/clock';
import { ResourceProbe } from '../system/resource-probe';
import { RunningTasks } from '../tasks/running-tasks';
import { CLOCK, LOGGER, WORKER_CONFIG } from '../tokens';

export interface HeartbeatHandlers {
  onResponse(res: HeartbeatResponse): void | Promise<void>;
  /** 404: the server no longer knows this worker (it was restarted or swept it). */
  onForgotten(): Promise<void>;
}

/** Liveness at the server-set interval, with jitter; `beatNow()` for prompt reconciliation. */
@Injectable()
export class HeartbeatService {
  private intervalS: number;
  private loop: Promise<void> | null = null;
  private stopped = new AbortController();
  private wake = new AbortController();

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly client: ControlPlaneClient,
    private readonly probe: ResourceProbe,
    private readonly running: RunningTasks,
  ) {
    this.intervalS = config.heartbeatIntervalS;
  }

  get interval(): number {
    return this.intervalS;
  }

  setInterval(seconds: number | undefined): void {
    if (seconds && seconds > 0 && seconds !== this.intervalS) {
      this.logger.info({ heartbeat_interval_s: seconds }, 'heartbeat interval set by the server');
      this.intervalS = seconds;
    }
  }

  /** Beats at once, then every interval until stop(). */
  start(handlers: HeartbeatHandlers): void {
    if (this.loop) return;
    this.stopped = new AbortController();
    this.loop = (async () => {
      while (!this.stopped.signal.aborted) {
        await this.beat(handlers);
        this.wake = new AbortController();
        await this.clock.sleep(jittered(this.intervalS * 1000), AbortSignal.any([this.stopped.signal, this.wake.signal]));
      }
    })();
  }

  beatNow(): void {
    this.wake.abort();
  }

  async stop(): Promise<void> {
    this.stopped.abort();
    await this.loop;
    this.loop = null;
  }

  private async beat(handlers: HeartbeatHandlers): Promise<void> {
    try {
      const res = await this.client.heartbeat(this.config.workerId, {
        resources: await this.probe.sample(),
        running_tasks: this.running.refs(),
      });
      this.setInterval(res?.heartbeat_interval_s);
      await handlers.onResponse(res);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        this.logger.warn('the server does not know this worker any more; registering again');
        await handlers.onForgotten().catch((e: Error) => this.logger.error({ err: e.message }, 're-registration failed'));
      } else if (err instanceof ApiError) {
        this.logger.warn({ err: err.message }, 'heartbeat refused');
      } else {
        this.logger.debug({ err: (err as Error).message }, 'heartbeat failed');
      }
    }
  }
}
