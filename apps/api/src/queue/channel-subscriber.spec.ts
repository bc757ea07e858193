import { EventEmitter } from 'node:events';
import { ChannelSubscriber } from './channel-subscriber';
import type { RedisConnections } from './redis-connections';

class FakeSubscriberConnection extends EventEmitter {
  readonly subscribed: string[] = [];
  readonly unsubscribed: string[] = [];
  async subscribe(channel: string) {
    this.subscribed.push(channel);
    return 1;
  }
  async unsubscribe(channel: string) {
    this.unsubscribed.push(channel);
    return 0;
  }
}

describe('ChannelSubscriber', () => {
  const connection = new FakeSubscriberConnection();
  const subscriber = new ChannelSubscriber({ subscriber: connection } as unknown as RedisConnections);
  subscriber.onModuleInit();

  it('subscribes a channel once for many listeners and unsubscribes after the last one leaves', async () => {
    const a: unknown[] = [];
    const b: unknown[] = [];
    const offA = await subscriber.subscribe('codefleet.task.t1', (m) => a.push(m));
    const offB = await subscriber.subscribe('codefleet.task.t1', (m) => b.push(m));
    expect(connection.subscribed).toEqual(['codefleet.task.t1']);

    connection.emit('message', 'codefleet.task.t1', JSON.stringify({ type: 'status', status: 'completed' }));
    connection.emit('message', 'codefleet.task.other', JSON.stringify({ type: 'status', status: 'failed' }));
    connection.emit('message', 'codefleet.task.t1', 'not json');
    expect(a).toEqual([{ type: 'status', status: 'completed' }]);
    expect(b).toEqual(a);

    offA();
    expect(connection.unsubscribed).toEqual([]);
    offB();
    expect(connection.unsubscribed).toEqual(['codefleet.task.t1']);
    expect(subscriber.listenerCount()).toBe(0);
  });

  it('keeps delivering to the others when one listener throws', async () => {
    const got: unknown[] = [];
    const offBad = await subscriber.subscribe('c2', () => {
      throw new Error('listener bug');
    });
    const offGood = await subscriber.subscribe('c2', (m) => got.push(m));
    connection.emit('message', 'c2', '{"type":"output","offset":0,"data":"x"}');
    expect(got).toHaveLength(1);
    offBad();
    offGood();
  });
});
