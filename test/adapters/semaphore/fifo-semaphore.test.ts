import { describe, expect, it } from '@jest/globals';
import { FifoSemaphore } from '../../../src/adapters/semaphore/fifo-semaphore.js';
import { APIUserAbortError } from '../../../src/kernel/errors/api-errors.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('FifoSemaphore', () => {
  it('serves waiters in FIFO order without barging, weighted by bytes', async () => {
    const sem = new FifoSemaphore(10);
    const order: string[] = [];
    const first = await sem.acquire(6);
    const heavy = sem.acquire(8).then((r) => (order.push('heavy'), r));
    const light = sem.acquire(1).then((r) => (order.push('light'), r));
    await tick();
    expect(order).toEqual([]); // light fits but must not pass the heavy waiter
    first();
    (await heavy)();
    (await light)();
    expect(order).toEqual(['heavy', 'light']);
    expect(sem.available).toBe(10);
  });

  it('lets an aborted waiter leave the queue and gives its place to the next', async () => {
    const sem = new FifoSemaphore(1);
    const held = await sem.acquire();
    const controller = new AbortController();
    const aborted = sem.acquire(1, controller.signal);
    const next = sem.acquire();
    expect(sem.waiting).toBe(2);
    controller.abort();
    await expect(aborted).rejects.toBeInstanceOf(APIUserAbortError);
    expect(sem.waiting).toBe(1);
    held();
    (await next)();
    expect(sem.available).toBe(1);
  });

  it('runs a request larger than the budget alone, and ignores a double release', async () => {
    const sem = new FifoSemaphore(4);
    const small = await sem.acquire(1);
    let bigRunning = false;
    const big = sem.acquire(100).then((r) => ((bigRunning = true), r));
    await tick();
    expect(bigRunning).toBe(false);
    small();
    small();
    const releaseBig = await big;
    expect(bigRunning).toBe(true);
    expect(sem.available).toBe(0);
    releaseBig();
    expect(sem.available).toBe(4);
  });
});
