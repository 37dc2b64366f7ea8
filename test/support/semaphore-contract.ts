import { describe, expect, it } from '@jest/globals';
import { APIUserAbortError } from '../../src/kernel/errors/api-errors.js';
import type { Semaphore } from '../../src/ports/semaphore.js';

/*
 * What every Semaphore adapter promises, run against the in-process one and the Redis ones (a single
 * node, a cluster). Redis answers asynchronously, so "not yet granted" is checked after the grant that
 * must come first, and `available` is read once the releases have landed.
 */

export const tick = () => new Promise((r) => setImmediate(r));

/** Settles when `check` holds (polling on the event loop), so Redis round trips can land. */
export async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; !check(); i++) {
    if (i > 2000) throw new Error('condition never held');
    await new Promise((r) => setTimeout(r, 1));
  }
}

export function contract(name: string, make: (capacity: number) => Semaphore) {
  describe(`Semaphore contract: ${name}`, () => {
    it('serves waiters in FIFO order without barging, weighted', async () => {
      const sem = make(10);
      const order: string[] = [];
      const first = await sem.acquire(6);
      const heavy = sem.acquire(8).then((r) => (order.push('heavy'), r));
      const light = sem.acquire(1).then((r) => (order.push('light'), r));
      for (let i = 0; i < 20; i++) await tick();
      expect(order).toEqual([]); // light fits but must not pass the heavy waiter
      first();
      (await heavy)();
      (await light)();
      expect(order).toEqual(['heavy', 'light']);
      await eventually(() => sem.available === 10);
    });

    it('lets an aborted waiter leave the queue and gives its place to the next', async () => {
      const sem = make(1);
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
      await eventually(() => sem.available === 1 && sem.waiting === 0);
    });

    it('runs a request larger than the budget alone, admitting nothing else meanwhile', async () => {
      const sem = make(4);
      const small = await sem.acquire(1);
      const admitted: string[] = [];
      const big = sem.acquire(100).then((r) => (admitted.push('big'), r));
      for (let i = 0; i < 20; i++) await tick();
      expect(admitted).toEqual([]);
      small();
      small(); // a double release credits nothing
      const releaseBig = await big;
      const zero = sem.acquire(0).then((r) => (admitted.push('zero'), r));
      for (let i = 0; i < 20; i++) await tick();
      expect(admitted).toEqual(['big']);
      releaseBig();
      (await zero)();
      expect(admitted).toEqual(['big', 'zero']);
      await eventually(() => sem.available === 4);
    });

    it('never lets 100 concurrent acquirers exceed the limit, and grants in arrival order', async () => {
      const sem = make(8);
      let inFlight = 0;
      let maxInFlight = 0;
      const granted: number[] = [];
      await Promise.all(
        Array.from({ length: 100 }, async (_, i) => {
          const release = await sem.acquire(1);
          granted.push(i);
          inFlight += 1;
          maxInFlight = Math.max(maxInFlight, inFlight);
          for (let hop = 0; hop < (i * 7) % 5; hop++) await tick();
          inFlight -= 1;
          release();
        }),
      );
      expect(maxInFlight).toBeLessThanOrEqual(8);
      expect(maxInFlight).toBeGreaterThan(1);
      expect(granted).toEqual([...granted].sort((a, b) => a - b));
      await eventually(() => sem.available === 8);
    });

    it('ignores an abort that comes after the grant; rejects aborted signals and nonsense weights', async () => {
      const sem = make(1);
      const controller = new AbortController();
      const release = await sem.acquire(1, controller.signal);
      controller.abort();
      let second = false;
      const next = sem.acquire(1).then((r) => ((second = true), r));
      for (let i = 0; i < 20; i++) await tick();
      expect(second).toBe(false); // the permit is still held
      release();
      (await next)();
      await expect(sem.acquire(1, AbortSignal.abort())).rejects.toBeInstanceOf(APIUserAbortError);
      await expect(sem.acquire(-1)).rejects.toBeInstanceOf(RangeError);
      await expect(sem.acquire(Number.NaN)).rejects.toBeInstanceOf(RangeError);
      expect(sem.waiting).toBe(0);
    });
  });
}
