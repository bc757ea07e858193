import { ExpiringCache } from './expiring-cache';

describe('ExpiringCache', () => {
  it('answers until each entry deadline, then forgets it', () => {
    const cache = new ExpiringCache<string, number | null>(10);
    cache.set('hit', 1, 1000);
    cache.set('miss', null, 500);
    expect(cache.get('hit', 999)).toBe(1);
    expect(cache.get('miss', 499)).toBeNull();
    expect(cache.get('miss', 500)).toBeUndefined();
    expect(cache.get('hit', 1000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops the oldest entry when full', () => {
    const cache = new ExpiringCache<string, number>(2);
    cache.set('a', 1, 100);
    cache.set('b', 2, 100);
    cache.set('c', 3, 100);
    expect([cache.get('a', 0), cache.get('b', 0), cache.get('c', 0)]).toEqual([undefined, 2, 3]);
  });

  it('deletes by value', () => {
    const cache = new ExpiringCache<string, { id: string } | null>(10);
    cache.set('h1', { id: 'tok_1' }, 100);
    cache.set('h2', { id: 'tok_2' }, 100);
    cache.set('h3', null, 100);
    cache.deleteWhere((v) => v?.id === 'tok_1');
    expect([cache.get('h1', 0), cache.get('h2', 0), cache.get('h3', 0)]).toEqual([undefined, { id: 'tok_2' }, null]);
  });
});
