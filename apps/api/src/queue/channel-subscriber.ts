import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { RedisConnections } from './redis-connections';

export type ChannelListener = (message: unknown) => void;

interface Subscription {
  listeners: Set<ChannelListener>;
  ready: Promise<unknown>;
}

/**
 * One subscriber connection per process with a registry of listeners per channel: the channel
 * is subscribed when its first listener arrives and unsubscribed when its last one leaves.
 */
@Injectable()
export class ChannelSubscriber implements OnModuleInit {
  private readonly logger = new Logger(ChannelSubscriber.name);
  private readonly channels = new Map<string, Subscription>();

  constructor(private readonly redis: RedisConnections) {}

  onModuleInit(): void {
    this.redis.subscriber.on('message', (channel: string, raw: string) => {
      const sub = this.channels.get(channel);
      if (!sub) return;
      let message: unknown;
      try {
        message = JSON.parse(raw);
      } catch {
        this.logger.warn({ msg: 'ignoring a non-JSON message', channel });
        return;
      }
      for (const listener of [...sub.listeners]) {
        try {
          listener(message);
        } catch (err) {
          this.logger.error((err as Error).message, (err as Error).stack, ChannelSubscriber.name);
        }
      }
    });
  }

  /** Resolves once Redis confirmed the subscription; returns the function that removes the listener. */
  async subscribe(channel: string, listener: ChannelListener): Promise<() => void> {
    let sub = this.channels.get(channel);
    if (!sub) {
      sub = { listeners: new Set(), ready: this.redis.subscriber.subscribe(channel) };
      this.channels.set(channel, sub);
      sub.ready.catch(() => this.channels.get(channel) === sub && this.channels.delete(channel));
    }
    sub.listeners.add(listener);
    await sub.ready;
    return () => this.unsubscribe(channel, listener);
  }

  private unsubscribe(channel: string, listener: ChannelListener): void {
    const sub = this.channels.get(channel);
    if (!sub || !sub.listeners.delete(listener) || sub.listeners.size > 0) return;
    this.channels.delete(channel);
    // Commands on one connection run in order: a later subscribe to this channel still wins.
    this.redis.subscriber.unsubscribe(channel).catch(() => undefined);
  }

  listenerCount(channel?: string): number {
    if (channel) return this.channels.get(channel)?.listeners.size ?? 0;
    let n = 0;
    for (const s of this.channels.values()) n += s.listeners.size;
    return n;
  }
}
