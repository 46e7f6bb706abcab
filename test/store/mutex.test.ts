import { KeyedMutex } from '../../src/store/mutex';

describe('in-process named mutex', () => {
  it('queues callers of one name in arrival order and lets other names through', async () => {
    const mutex = new KeyedMutex();
    const order: string[] = [];
    const first = await mutex.acquire('refresh:acme:1', 1_000);
    const second = mutex.acquire('refresh:acme:1', 1_000).then((release) => {
      order.push('second');
      release();
    });
    const third = mutex.acquire('refresh:acme:1', 1_000).then((release) => {
      order.push('third');
      release();
    });
    const other = await mutex.acquire('refresh:acme:2', 1_000);
    order.push('other');
    other();
    order.push('first');
    first();
    first(); // a second release is ignored and must not free the lock of the next holder
    await Promise.all([second, third]);
    expect(order).toEqual(['other', 'first', 'second', 'third']);
    expect(mutex.size).toBe(0);
  });

  it('a waiter that times out leaves the queue and the next one still gets the lock', async () => {
    const mutex = new KeyedMutex();
    const holder = await mutex.acquire('tick', 1_000);
    await expect(mutex.acquire('tick', 10)).rejects.toMatchObject({ code: 'STORE_LOCK_TIMEOUT' });
    const later = mutex.acquire('tick', 1_000);
    holder();
    const release = await later;
    release();
    expect(mutex.size).toBe(0);
  });
});
