import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from '@jest/globals';
import { FifoSemaphore } from '../../../src/adapters/semaphore/fifo-semaphore.js';

// V8's own checks (parsed after the flag). In a file of its own: an array literal's elements kind is
// also learnt by its allocation site, so a semaphore that queued earlier in the same module instance
// would make a later one's `[]` start with object elements and hide the bug.
setFlagsFromString('--allow-natives-syntax');
const objectElements = new Function('a', 'return %HasObjectElements(a)') as (a: unknown) => boolean;
const queueOf = (semaphore: FifoSemaphore) => (semaphore as unknown as { queue: unknown[] }).queue;

describe('FifoSemaphore queue shape', () => {
  it('keeps one elements kind from construction through the first waiter and the emptied queue', async () => {
    // A `[]` queue had small-integer elements until the first waiter: its map changed then, and code
    // optimized while nothing waited (a fan-out's warm-up) deoptimized at the burst's first queue.
    const semaphore = new FifoSemaphore(1);
    expect(objectElements(queueOf(semaphore))).toBe(true);
    const first = semaphore.tryAcquire(1);
    const waiting = semaphore.acquire(1);
    expect(semaphore.waiting).toBe(1);
    expect(objectElements(queueOf(semaphore))).toBe(true);
    first?.();
    (await waiting)();
    expect(semaphore.waiting).toBe(0);
    expect(queueOf(semaphore)).toHaveLength(0);
    expect(objectElements(queueOf(semaphore))).toBe(true);
    expect(semaphore.available).toBe(1);
  });
});
