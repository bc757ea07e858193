import { Inject, Injectable } from '@nestjs/common';
import { scopedChannel, type WorkerControlMessage, workerControlChannel } from '#contracts';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RedisConnections } from '../queues/redis-connections';
import { LOGGER } from '../tokens';

export interface ControlHandlers {
  onCancel(taskId: string, attempt: number): void;
  onCodebasesChanged(): void;
}

/** Subscribes to the worker's control channel (its own connection: a subscriber can do nothing else). */
@Injectable()
export class ControlListener {
  private subscriber: Redis | null = null;

  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly redis: RedisConnections,
  ) {}

  /** `queuePrefix` scopes the channel the way the API publishes it (see channel-scope.ts). */
  async start(redisUrl: string, workerId: string, queuePrefix: string, handlers: ControlHandlers): Promise<void> {
    const channel = scopedChannel(queuePrefix, workerControlChannel(workerId));
    this.subscriber = this.redis.create(redisUrl, `codefleet-worker-control-${workerId}`, (err) =>
      this.logger.warn({ err: err.message }, 'control channel connection error'),
    );
    this.subscriber.on('message', (ch: string, raw: string) => {
      if (ch !== channel) return;
      const message = parseControlMessage(raw);
      if (!message) {
        this.logger.warn({ message: raw.slice(0, 200) }, 'ignoring malformed control message');
        return;
      }
      this.logger.debug({ message }, 'control message');
      if (message.type === 'cancel') handlers.onCancel(message.task_id, message.attempt);
      else handlers.onCodebasesChanged();
    });
    // ioredis subscribes again by itself after a reconnect.
    await this.subscriber.subscribe(channel);
    this.logger.info({ channel }, 'listening for control messages');
  }

  async stop(): Promise<void> {
    const sub = this.subscriber;
    this.subscriber = null;
    if (sub) await sub.quit().catch(() => sub.disconnect());
  }
}

export function parseControlMessage(raw: string): WorkerControlMessage | null {
  let m: unknown;
  try {
    m = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof m !== 'object' || m === null) return null;
  const o = m as Record<string, unknown>;
  if (o.type === 'codebases_changed') return { type: 'codebases_changed' };
  if (o.type === 'cancel' && typeof o.task_id === 'string' && Number.isInteger(o.attempt)) {
    return { type: 'cancel', task_id: o.task_id, attempt: o.attempt as number };
  }
  return null;
}
