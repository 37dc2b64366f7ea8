import { describe, expect, it } from '@jest/globals';
import { createKernel } from '../../../src/kernel/kernel.js';
import type { Release } from '../../../src/ports/semaphore.js';

/**
 * A plugin may key a semaphore per remote object (Tinkex: one per sampling session, and a training loop
 * makes a new sampler every few steps). Over a long life the kernel must not keep every semaphore it
 * ever made, yet two callers of one key must always share one semaphore while it is in use.
 */
describe('the kernel’s semaphores over a long life', () => {
  it('drops a key’s semaphore once it is idle and many keys came after it', async () => {
    const kernel = createKernel();
    const services = kernel.getServices();
    const first = services.semaphore('sampler:0', 2);
    (await first.acquire())();
    for (let i = 1; i <= 10_000; i++) {
      const semaphore = services.semaphore(`sampler:${i}`, 2);
      semaphore.tryAcquire!(1)!();
    }
    // Kept, the first semaphore would be the one returned: it was dropped, and a new one stands for it.
    const again = services.semaphore('sampler:0', 2);
    expect(again).not.toBe(first);
    expect([again.capacity, again.available, again.waiting]).toEqual([2, 2, 0]);
    await kernel.close();
  });

  it('keeps a semaphore that is held or waited on, whatever came after it', async () => {
    const kernel = createKernel();
    const services = kernel.getServices();
    const held = services.semaphore('sampler:held', 1);
    const release = held.tryAcquire!(1)!;
    const queued = services.semaphore('sampler:queued', 1);
    const holder = queued.tryAcquire!(1)!;
    const waiter = queued.acquire(1);
    const releases: Release[] = [];
    for (let i = 0; i < 10_000; i++) {
      const semaphore = services.semaphore(`sampler:${i}`, 1);
      releases.push(semaphore.tryAcquire!(1)!);
      // Half of them stay held: a busy semaphore is never dropped for a new one.
      if (i % 2 === 0) releases.pop()!();
    }
    expect(services.semaphore('sampler:held', 1)).toBe(held);
    expect(services.semaphore('sampler:queued', 1)).toBe(queued);
    expect(services.semaphore('sampler:9999', 1)).toBe(services.semaphore('sampler:9999', 1));
    // The held one still limits: its permit is taken, so a second caller of the key must wait.
    expect(services.semaphore('sampler:held', 1).tryAcquire!(1)).toBeUndefined();
    expect(services.semaphore('sampler:1', 1).available).toBe(0);
    release();
    holder();
    (await waiter)();
    for (const r of releases) r();
    await kernel.close();
  });
});
