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

/** Run `n` tasks through `sem`, each holding its permit across a few event-loop hops. */
async function load(sem: FifoSemaphore, weights: number[]) {
  let inFlight = 0;
  let maxInFlight = 0;
  const granted: number[] = [];
  await Promise.all(
    weights.map(async (weight, i) => {
      const release = await sem.acquire(weight);
      granted.push(i);
      inFlight += weight;
      maxInFlight = Math.max(maxInFlight, inFlight);
      for (let hop = 0; hop < (i * 7) % 5; hop++) await tick();
      inFlight -= weight;
      release();
    }),
  );
  return { maxInFlight, granted };
}

describe('FifoSemaphore under load', () => {
  it('never lets 500 concurrent acquirers exceed the limit, and grants in arrival order', async () => {
    const sem = new FifoSemaphore(8);
    const { maxInFlight, granted } = await load(sem, Array(500).fill(1));
    expect(maxInFlight).toBe(8); // reached, never passed
    expect(granted).toEqual([...granted].sort((a, b) => a - b));
    expect(sem.available).toBe(8);
    expect(sem.waiting).toBe(0);
  });

  it('never exceeds a byte budget with weighted acquirers, still in arrival order', async () => {
    const sem = new FifoSemaphore(1024);
    const weights = Array.from({ length: 500 }, (_, i) => (i * 379) % 700);
    const { maxInFlight, granted } = await load(sem, weights);
    expect(maxInFlight).toBeLessThanOrEqual(1024);
    expect(granted).toEqual([...granted].sort((a, b) => a - b));
    expect(sem.available).toBe(1024);
  });

  it('admits nothing else, not even weight 0, while an oversized request runs', async () => {
    const sem = new FifoSemaphore(10);
    const releaseBig = await sem.acquire(50);
    const admitted: string[] = [];
    const zero = sem.acquire(0).then((r) => (admitted.push('zero'), r));
    const one = sem.acquire(1).then((r) => (admitted.push('one'), r));
    await tick();
    expect(admitted).toEqual([]);
    expect(sem.available).toBe(0);
    releaseBig();
    (await zero)();
    (await one)();
    expect(admitted).toEqual(['zero', 'one']);
    expect(sem.available).toBe(10);
  });

  it('does not leak capacity when many waiters abort, and an aborted head unblocks the rest', async () => {
    const sem = new FifoSemaphore(4);
    const held = await sem.acquire(3);
    const controllers = Array.from({ length: 50 }, () => new AbortController());
    const heavy = sem.acquire(4, controllers[0].signal); // blocks the light ones behind it
    const aborted = controllers.slice(1).map((c) => sem.acquire(1, c.signal));
    const light = sem.acquire(1);
    let lightGranted = false;
    void light.then(() => (lightGranted = true));
    expect(sem.waiting).toBe(51);
    const reason = new Error('caller gave up');
    controllers[0].abort(reason);
    await expect(heavy).rejects.toMatchObject({ name: 'APIUserAbortError', cause: reason });
    // The heavy head left, so the next waiter (one of the abortable light ones) now fits.
    expect(sem.waiting).toBe(49);
    for (const c of controllers.slice(2)) c.abort();
    await Promise.allSettled(aborted);
    await tick();
    expect(sem.waiting).toBe(1); // only the non-abortable light waiter; 3 + 1 permits are held
    expect(lightGranted).toBe(false);
    (await aborted[0])();
    (await light)();
    expect(lightGranted).toBe(true);
    held();
    expect(sem.available).toBe(4);
  });

  it('ignores an abort that comes after the permit was granted', async () => {
    const sem = new FifoSemaphore(1);
    const controller = new AbortController();
    const release = await sem.acquire(1, controller.signal);
    controller.abort();
    expect(sem.available).toBe(0);
    release();
    expect(sem.available).toBe(1);
  });

  it('rejects an already-aborted signal and nonsense weights without touching the queue', async () => {
    const sem = new FifoSemaphore(2);
    await expect(sem.acquire(1, AbortSignal.abort())).rejects.toBeInstanceOf(APIUserAbortError);
    await expect(sem.acquire(-1)).rejects.toBeInstanceOf(RangeError);
    await expect(sem.acquire(Number.NaN)).rejects.toBeInstanceOf(RangeError);
    expect(sem.waiting).toBe(0);
    expect(sem.available).toBe(2);
  });

  it('tryAcquire grants only what acquire would grant at once: no barging, oversized alone, nonsense refused', async () => {
    const sem = new FifoSemaphore(10);
    const six = sem.tryAcquire(6)!;
    expect(sem.available).toBe(4);
    expect(sem.tryAcquire(5)).toBeUndefined(); // does not fit: nothing taken
    const heavy = sem.acquire(8);
    expect(sem.tryAcquire(1)).toBeUndefined(); // fits, but the heavy waiter is first
    six();
    six(); // idempotent, like acquire's release
    const eight = await heavy;
    expect(sem.available).toBe(2);
    eight();
    const oversized = sem.tryAcquire(11)!; // heavier than the budget: runs alone
    expect(sem.tryAcquire(0)).toBeUndefined();
    oversized();
    expect(sem.tryAcquire(-1)).toBeUndefined();
    expect(sem.tryAcquire(Number.NaN)).toBeUndefined();
    expect(sem.available).toBe(10);
    expect(sem.waiting).toBe(0);
  });
});

describe('FifoSemaphore.wait (a ticket instead of a promise)', () => {
  /** A ticket that records what it was told, in order, with the releases it was granted. */
  function ticket(name: string, log: string[], releases: Map<string, () => void>) {
    return {
      granted: (release: () => void) => {
        log.push(`${name} granted`);
        releases.set(name, release);
      },
      refused: (error: unknown) => log.push(`${name} refused ${(error as Error).constructor.name}`),
    };
  }

  it('shares one FIFO queue with acquire, and tells a ticket synchronously from the release that grants it', async () => {
    const sem = new FifoSemaphore(1);
    const log: string[] = [];
    const releases = new Map<string, () => void>();
    sem.wait(1, ticket('a', log, releases));
    expect(log).toEqual(['a granted']); // free: granted before wait returns
    const b = sem.acquire(1).then((release) => (log.push('b granted'), release));
    sem.wait(1, ticket('c', log, releases));
    expect(sem.waiting).toBe(2);
    releases.get('a')!();
    (await b)(); // b was ahead of c: c is granted only by b's release, inside it
    expect(log).toEqual(['a granted', 'b granted', 'c granted']);
    releases.get('c')!();
    releases.get('c')!(); // idempotent
    expect([sem.available, sem.waiting]).toEqual([1, 0]);
  });

  it('refuses a ticket whose signal aborts while it waits, and admits the one behind it', () => {
    const sem = new FifoSemaphore(2);
    const log: string[] = [];
    const releases = new Map<string, () => void>();
    sem.wait(2, ticket('a', log, releases));
    const controller = new AbortController();
    sem.wait(2, ticket('b', log, releases), controller.signal);
    sem.wait(1, ticket('c', log, releases));
    controller.abort();
    expect(log).toEqual(['a granted', 'b refused APIUserAbortError']);
    expect(sem.waiting).toBe(1);
    releases.get('a')!();
    expect(log).toEqual(['a granted', 'b refused APIUserAbortError', 'c granted']);
    releases.get('c')!();
    // A granted ticket's signal aborting later tells it nothing more.
    const late = new AbortController();
    sem.wait(1, ticket('d', log, releases), late.signal);
    late.abort();
    expect(log.at(-1)).toBe('d granted');
    releases.get('d')!();
    expect(sem.available).toBe(2);
  });

  it('refuses at once an aborted signal and an invalid weight, taking nothing', () => {
    const sem = new FifoSemaphore(1);
    const log: string[] = [];
    const releases = new Map<string, () => void>();
    sem.wait(1, ticket('a', log, releases), AbortSignal.abort());
    sem.wait(-1, ticket('b', log, releases));
    sem.wait(Number.NaN, ticket('c', log, releases));
    expect(log).toEqual(['a refused APIUserAbortError', 'b refused RangeError', 'c refused RangeError']);
    expect([sem.available, sem.waiting]).toEqual([1, 0]);
  });
});
