import type { Semaphore, SemaphoreFactory } from '../ports/semaphore.js';

/** Never sweep below this many semaphores: the kernel's own (per plugin, resource and kind) stay put. */
const MIN_SWEEP_AT = 64;

/**
 * The kernel's semaphores by key, created on first use. Keys are not all fixed: a plugin may key one per
 * remote object (Tinkex: one per sampling session, and a training loop makes a sampler every few steps),
 * so a long-lived client would keep every semaphore it ever made. Each time the map has doubled since the
 * last sweep, the idle ones (nothing held, nobody waiting) stop being held strongly: they move to a map
 * of weak references, so one that a caller still has (got, then an `await` before acquiring) is the one
 * the key returns while it lives, and two semaphores never stand for one key at once; one nobody has is
 * collected, and its entry goes at a later sweep. Amortized O(1) per new key; at most about twice the
 * number of busy semaphores (and at least MIN_SWEEP_AT) are held.
 */
export class SharedSemaphores {
  private readonly byKey = new Map<string, Semaphore>();
  private readonly idle = new Map<string, WeakRef<Semaphore>>();
  private sweepAt = MIN_SWEEP_AT;

  constructor(private readonly factory: SemaphoreFactory) {}

  /** How many semaphores are held strongly (the busy ones and those made since the last sweep). */
  get held(): number {
    return this.byKey.size;
  }

  get(key: string, capacity: number): Semaphore {
    const known = this.byKey.get(key) ?? this.revive(key);
    if (known) return known;
    if (this.byKey.size >= this.sweepAt) this.sweep();
    const made = this.factory.create(capacity, key);
    this.byKey.set(key, made);
    return made;
  }

  /** The idle semaphore of `key` if someone still has it, held strongly again. */
  private revive(key: string): Semaphore | undefined {
    const semaphore = this.idle.get(key)?.deref();
    if (semaphore === undefined) return undefined;
    this.idle.delete(key);
    this.byKey.set(key, semaphore);
    return semaphore;
  }

  private sweep(): void {
    for (const [key, ref] of this.idle) if (ref.deref() === undefined) this.idle.delete(key);
    for (const [key, semaphore] of this.byKey) {
      if (semaphore.idle ?? (semaphore.waiting === 0 && semaphore.available >= semaphore.capacity)) {
        this.byKey.delete(key);
        this.idle.set(key, new WeakRef(semaphore));
      }
    }
    this.sweepAt = Math.max(MIN_SWEEP_AT, 2 * this.byKey.size);
  }
}
