import type { Release, Semaphore, SemaphoreFactory } from '../../ports/semaphore.js';
import { APIUserAbortError } from '../../kernel/errors/api-errors.js';

interface Waiter {
  weight: number;
  grant: (release: Release) => void;
}

/**
 * A weighted FIFO semaphore (weight 1 makes it a counting one). No barging: a heavy waiter at the head
 * blocks lighter ones behind it. A request heavier than the whole capacity runs alone.
 */
export class FifoSemaphore implements Semaphore {
  private used = 0;
  private readonly queue: Waiter[] = [];

  constructor(readonly capacity: number) {}

  get available(): number {
    return Math.max(0, this.capacity - this.used);
  }

  get waiting(): number {
    return this.queue.length;
  }

  acquire(weight = 1, signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(new APIUserAbortError());
    const cost = Math.min(weight, this.capacity);
    if (this.queue.length === 0 && this.fits(cost)) return Promise.resolve(this.take(cost));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        weight: cost,
        grant: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      const onAbort = () => {
        const index = this.queue.indexOf(waiter);
        if (index >= 0) this.queue.splice(index, 1);
        reject(new APIUserAbortError());
        this.drain();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  private fits(cost: number): boolean {
    // An oversized request (clamped to capacity) fits only when nothing else holds a permit.
    return this.used + cost <= this.capacity;
  }

  private take(cost: number): Release {
    this.used += cost;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= cost;
      this.drain();
    };
  }

  private drain(): void {
    while (this.queue.length > 0 && this.fits(this.queue[0].weight)) {
      const waiter = this.queue.shift()!;
      waiter.grant(this.take(waiter.weight));
    }
  }
}

export class FifoSemaphoreFactory implements SemaphoreFactory {
  create(capacity: number): Semaphore {
    return new FifoSemaphore(capacity);
  }
}
