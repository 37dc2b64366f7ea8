import type { Release, Semaphore, SemaphoreFactory } from '../../ports/semaphore.js';
import { offAbortTell, onAbortTell, type AbortSubscriber } from '../../kernel/signals/on-abort.js';
import { abortErrorFor } from '../../kernel/signals/abort-error-for.js';

/**
 * A caller of `wait`: told through its methods instead of a promise. A queued `acquire` costs a promise,
 * its resolve and reject closures and the caller's `then`; a ticket costs the object the caller already
 * has (a sampling fan-out holds 1,600 waiters at its dispatch gate for most of a burst).
 */
export interface SemaphoreTicket {
  /** The permits were granted; `release` gives them back (idempotent). */
  granted(release: Release): void;
  /** Not granted: the signal aborted (the error `acquire` would reject with), or the weight is invalid. */
  refused(error: unknown): void;
}

/**
 * One queued `acquire` or `wait`: an object with methods, subscribed itself to the caller's signal, rather
 * than closures for the grant, the abort and the unsubscription: thousands may wait at once (a sampling
 * fan-out's dispatch gate), each for many garbage collections. `acquire`'s waiter holds its promise's
 * resolve and reject, `wait`'s the ticket (as `resolve`, with `reject` unset).
 */
class Waiter implements AbortSubscriber {
  // Set in the constructor, not as class-body fields or parameter properties: their initializer is a
  // function of its own that V8 may compile on its own in a burst (see APIFuture).
  declare private readonly semaphore: FifoSemaphore;
  declare readonly weight: number;
  declare private readonly signal: AbortSignal | undefined;
  declare private readonly resolve: ((release: Release) => void) | SemaphoreTicket;
  declare private readonly reject: ((error: unknown) => void) | undefined;

  constructor(
    semaphore: FifoSemaphore,
    weight: number,
    signal: AbortSignal | undefined,
    resolve: ((release: Release) => void) | SemaphoreTicket,
    reject: ((error: unknown) => void) | undefined,
  ) {
    this.semaphore = semaphore;
    this.weight = weight;
    this.signal = signal;
    this.resolve = resolve;
    this.reject = reject;
    if (signal) onAbortTell(signal, this);
  }

  grant(release: Release): void {
    if (this.signal) offAbortTell(this.signal, this);
    const resolve = this.resolve;
    if (typeof resolve === 'function') resolve(release);
    else resolve.granted(release);
  }

  /** The caller's signal aborted while this waited. */
  onSignalAbort(): void {
    const error = abortErrorFor(this.signal);
    if (this.reject) {
      this.reject(error);
      this.semaphore.leave(this);
      return;
    }
    // A ticket is told at once: out of the queue first, so that it never sees itself waiting.
    this.semaphore.leave(this);
    (this.resolve as SemaphoreTicket).refused(error);
  }
}

/**
 * A weighted FIFO semaphore (weight 1 makes it a counting one).
 *
 * - No barging: a heavy waiter at the head blocks lighter ones behind it, so a large request is never
 *   starved by a stream of small ones.
 * - A request heavier than the whole capacity does not deadlock: it waits until everything is
 *   released, then runs alone — nothing else (not even a weight-0 request) is admitted until it
 *   releases.
 * - An aborted waiter leaves the queue at once; if it was blocking the head, the next ones that fit
 *   are admitted.
 * - Release is idempotent: calling it twice does not credit the permits twice.
 */
export class FifoSemaphore implements Semaphore {
  private used = 0;
  /** An oversized holder is running. */
  private exclusive = false;
  /**
   * Waiters from `head` on; the slots before `head` were granted. A head index rather than `shift()`:
   * V8 cannot move an array's start while compile jobs hold on to it (most of a cold burst), and then
   * copies every element left, per grant, with 1,600 waiters in a sampling fan-out's dispatch gate.
   */
  private readonly queue: (Waiter | undefined)[] = objectElements();
  private head = -1;

  constructor(readonly capacity: number) {
    // 0 is allowed: every request is then oversized and runs alone.
    if (!(capacity >= 0)) throw new RangeError(`Semaphore capacity must be >= 0, got ${capacity}`);
    // Written a second time on purpose: V8 takes a field that was never written after its initializer
    // for a constant, and code that inlined `tryAcquire` (the sampler's `sampleWithin`, the connection
    // gate) embedded `head` as 0. The first queue of a process (a fan-out's first burst: the warm-up
    // never queues) then deoptimized all of it at once, to be compiled again mid-burst.
    this.head = 0;
  }

  get available(): number {
    return this.exclusive ? 0 : Math.max(0, this.capacity - this.used);
  }

  get waiting(): number {
    return this.queue.length - this.head;
  }

  acquire(weight = 1, signal?: AbortSignal): Promise<Release> {
    if (!(weight >= 0)) {
      return Promise.reject(new RangeError(`Semaphore weight must be >= 0, got ${weight}`));
    }
    if (signal?.aborted) return Promise.reject(abortErrorFor(signal));
    if (this.waiting === 0 && this.fits(weight)) return Promise.resolve(this.take(weight));
    return new Promise((resolve, reject) => {
      this.queue.push(new Waiter(this, weight, signal, resolve, reject));
    });
  }

  /**
   * `acquire` without a promise: `ticket` is told (`granted` or `refused`) exactly once, in the same
   * order as `acquire`'s waiters are served (one queue). It may be told before `wait` returns (granted at
   * once, an aborted signal, an invalid weight) and from inside another holder's release or a signal's
   * abort event, so a ticket that starts work should start it in a later microtask.
   */
  wait(weight: number, ticket: SemaphoreTicket, signal?: AbortSignal): void {
    if (!(weight >= 0)) return ticket.refused(new RangeError(`Semaphore weight must be >= 0, got ${weight}`));
    if (signal?.aborted) return ticket.refused(abortErrorFor(signal));
    if (this.waiting === 0 && this.fits(weight)) return ticket.granted(this.take(weight));
    this.queue.push(new Waiter(this, weight, signal, ticket, undefined));
  }

  /** @internal An aborted waiter leaves the queue; it may have been the heavy head that held lighter ones back. */
  leave(waiter: Waiter): void {
    const queue = this.queue;
    const index = queue.indexOf(waiter, this.head);
    if (index === -1) return;
    if (index === this.head) {
      this.granted();
      this.drain();
    } else {
      queue.splice(index, 1);
    }
  }

  /** What `acquire` would grant at once (no waiter ahead, it fits), without a promise; else nothing. */
  tryAcquire(weight: number): Release | undefined {
    if (!(weight >= 0) || this.waiting > 0 || !this.fits(weight)) return undefined;
    return this.take(weight);
  }

  private fits(weight: number): boolean {
    if (this.exclusive) return false;
    if (weight > this.capacity) return this.used === 0;
    return this.used + weight <= this.capacity;
  }

  private take(weight: number): Release {
    const oversized = weight > this.capacity;
    if (oversized) this.exclusive = true;
    else this.used += weight;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (oversized) this.exclusive = false;
      else this.used -= weight;
      this.drain();
    };
  }

  private drain(): void {
    const queue = this.queue;
    // From `head` on every slot holds a waiter (leavers behind it are spliced out); past the end, none.
    // One read of the head, not one before the loop and one after each grant: every release with an
    // empty queue reads past the end there, so its feedback knows that read by a fan-out's warm-up. A
    // second read first ran in the burst, in bounds, then past the end once the queue emptied, which
    // deoptimized each function that had inlined it.
    for (;;) {
      const waiter = queue[this.head];
      if (!waiter || !this.fits(waiter.weight)) return;
      this.granted();
      waiter.grant(this.take(waiter.weight));
    }
  }

  /** The head waiter is gone (granted or aborted): step past it, and drop the spent slots now and then. */
  private granted(): void {
    const queue = this.queue;
    queue[this.head++] = undefined;
    if (this.head === queue.length) {
      queue.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= queue.length) {
      // Half the array is spent slots: one copy of the rest, not one per grant.
      queue.splice(0, this.head);
      this.head = 0;
    }
  }
}

/**
 * An empty array whose elements are already of V8's "any object" kind. A `[]` starts as small integers
 * and changes its map at the first waiter pushed; code optimized before that (`tryAcquire`'s `waiting`,
 * inlined into the sampler's `sampleWithin` and the connection gate during a fan-out's warm-up, which
 * never queues) then deoptimized on the wrong map at the burst's first queue and was compiled again
 * mid-burst. Holding `undefined` once makes the array take the object kind at once; emptying it keeps it.
 */
function objectElements(): (Waiter | undefined)[] {
  const array: (Waiter | undefined)[] = [undefined];
  array.length = 0;
  return array;
}

/** Builds FIFO semaphores; the kernel keeps one per (plugin, resource, kind). */
export class FifoSemaphoreFactory implements SemaphoreFactory {
  create(capacity: number): Semaphore {
    return new FifoSemaphore(capacity);
  }
}
