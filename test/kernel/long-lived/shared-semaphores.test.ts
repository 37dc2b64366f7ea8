import { describe, expect, it } from '@jest/globals';
import { createKernel } from '../../../src/defaults/kernel.js';
import type { Release } from '../../../src/ports/semaphore.js';
import { SharedSemaphores } from '../../../src/kernel/shared-semaphores.js';
import { FifoSemaphoreFactory } from '../../../src/adapters/semaphore/fifo-semaphore.js';

/**
 * A plugin may key a semaphore per remote object (Tinkex: one per sampling session, and a training loop
 * makes a new sampler every few steps). Over a long life the kernel must not keep every semaphore it
 * ever made, yet two callers of one key must always share one semaphore while it is in use.
 */
describe('the kernel’s semaphores over a long life', () => {
  it('holds on only to the busy semaphores, not to every key it was ever asked for', () => {
    const shared = new SharedSemaphores(new FifoSemaphoreFactory());
    for (let i = 0; i < 10_000; i++) shared.get(`sampler:${i}`, 2).tryAcquire!(1)!();
    expect(shared.held).toBeLessThanOrEqual(128);
  });

  // A plugin that gets a semaphore, awaits something, then acquires would otherwise find a second
  // semaphore made for the same key meanwhile: two permits where the limit says one.
  it('gives a caller still holding an idle semaphore’s object the same one back, so the limit holds', async () => {
    const kernel = createKernel();
    const services = kernel.getServices();
    const early = services.semaphore('sampler:slow', 1);
    for (let i = 0; i < 10_000; i++) services.semaphore(`sampler:${i}`, 1).tryAcquire!(1)!();
    const late = services.semaphore('sampler:slow', 1);
    expect(late).toBe(early);
    const release = late.tryAcquire!(1)!;
    expect(early.tryAcquire!(1)).toBeUndefined();
    release();
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
