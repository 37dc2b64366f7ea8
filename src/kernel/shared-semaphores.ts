import type { Semaphore, SemaphoreFactory } from '../ports/semaphore.js';

/** Never sweep below this many semaphores: the kernel's own (per plugin, resource and kind) stay put. */
const MIN_SWEEP_AT = 64;

/**
 * The kernel's semaphores by key, created on first use. Keys are not all fixed: a plugin may key one per
 * remote object (Tinkex: one per sampling session, and a training loop makes a sampler every few steps),
 * so a long-lived client would keep every semaphore it ever made. Each time the map has doubled since the
 * last sweep, the idle ones (nothing held, nobody waiting) are dropped: an idle semaphore holds no state
 * a new one would not have, and every caller acquires from the semaphore it was just given, in the same
 * tick, so a held or awaited one is never dropped. Amortized O(1) per new key; at most about twice the
 * number of busy semaphores (and at least MIN_SWEEP_AT) are kept.
 */
export class SharedSemaphores {
  private readonly byKey = new Map<string, Semaphore>();
  private sweepAt = MIN_SWEEP_AT;

  constructor(private readonly factory: SemaphoreFactory) {}

  get(key: string, capacity: number): Semaphore {
    const known = this.byKey.get(key);
    if (known) return known;
    if (this.byKey.size >= this.sweepAt) this.sweep();
    const made = this.factory.create(capacity, key);
    this.byKey.set(key, made);
    return made;
  }

  private sweep(): void {
    for (const [key, semaphore] of this.byKey) {
      if (semaphore.waiting === 0 && semaphore.available >= semaphore.capacity) this.byKey.delete(key);
    }
    this.sweepAt = Math.max(MIN_SWEEP_AT, 2 * this.byKey.size);
  }
}
