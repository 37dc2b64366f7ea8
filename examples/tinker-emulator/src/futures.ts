import { randomInt } from 'node:crypto';

/** Results the 0.25 protocol can deliver as protobuf (`Accept: application/x-protobuf`). */
export type ResultKind = 'sample' | 'forward_backward';

/** One future the server holds. */
interface StoredFuture {
  state: 'pending' | 'done' | 'failed';
  kind?: ResultKind;
  result?: unknown;
  error?: { error: string; category: 'user' | 'server' | 'unknown' };
  /** Results are kept until delivered, then for `ttlMs` (a poll that timed out client-side can re-poll). */
  deliveredAt?: number;
}

const ID_PREFIX = 'req-';
const ISSUED_ID = /^req-[1-9][0-9]*$/;

/**
 * The future store. A result's expiry clock starts only once it was delivered, so a client whose poll
 * was abandoned can poll again (the SkyRL lesson). Long polls wait here for a future to settle.
 *
 * Delivered results are freed once their TTL has passed, whether or not anyone polls again: a
 * long-running emulator polls each result once, and kept results would grow its heap without bound.
 * A freed id still reads as expired, since ids are numbered in order (`req-N`, N ≤ the counter).
 *
 * Numbering starts at a random point per store (per emulator start), not at 1: a client that polls a
 * future of an emulator that was restarted must get 404, as from a real server, and not the future the
 * new one numbered the same (another client's result).
 */
export class FutureStore {
  private readonly futures = new Map<string, StoredFuture>();
  private readonly waiters = new Map<string, Set<() => void>>();
  /** Delivered ids in delivery order, so the expired ones are at the front. */
  private delivered: string[] = [];
  private deliveredHead = 0;
  private counter: number;
  private released = false;

  constructor(
    private readonly now: () => number,
    private readonly ttlMs: number,
    /** Ids given are `req-(first + 1)` onwards; random by default (see above). */
    private readonly first: number = randomInt(1_000_000, 2 ** 46),
  ) {
    this.counter = first;
  }

  create(kind?: ResultKind): string {
    this.sweep();
    const id = `${ID_PREFIX}${++this.counter}`;
    this.futures.set(id, { state: 'pending', kind });
    return id;
  }

  complete(id: string, result: unknown): void {
    const f = this.futures.get(id);
    if (f) Object.assign(f, { state: 'done', result });
    this.wake(id);
  }

  fail(id: string, message: string, category: 'user' | 'server' | 'unknown'): void {
    const f = this.futures.get(id);
    if (f) Object.assign(f, { state: 'failed', error: { error: message, category } });
    this.wake(id);
  }

  /** What a poll sees: the future, `expired` once its TTL after delivery passed, or `missing`. */
  lookup(id: string): StoredFuture | 'expired' | 'missing' {
    const f = this.futures.get(id);
    if (!f) return this.wasIssued(id) ? 'expired' : 'missing';
    if (this.isExpired(f)) {
      this.futures.delete(id);
      return 'expired';
    }
    return f;
  }

  markDelivered(id: string): void {
    const f = this.futures.get(id);
    if (f && f.deliveredAt === undefined) {
      f.deliveredAt = this.now();
      this.delivered.push(id);
    }
  }

  /** Frees the delivered results whose TTL has passed (amortized: each id is looked at once). */
  private sweep(): void {
    while (this.deliveredHead < this.delivered.length) {
      const id = this.delivered[this.deliveredHead];
      const f = this.futures.get(id);
      if (f && !this.isExpired(f)) break;
      this.futures.delete(id);
      this.deliveredHead++;
    }
    // Drop the swept prefix now and then, not per id (shift() per id would copy the array each time).
    if (this.deliveredHead > 1024 && this.deliveredHead * 2 > this.delivered.length) {
      this.delivered = this.delivered.slice(this.deliveredHead);
      this.deliveredHead = 0;
    }
  }

  private isExpired(f: StoredFuture): boolean {
    return f.deliveredAt !== undefined && this.now() - f.deliveredAt > this.ttlMs;
  }

  private wasIssued(id: string): boolean {
    if (!ISSUED_ID.test(id)) return false;
    const n = Number(id.slice(ID_PREFIX.length));
    return n > this.first && n <= this.counter;
  }

  /**
   * Resolves once the future settles, after `ms` on the given timer, or when the store is released
   * (server close), whichever comes first. Never rejects; the timer is cancelled on every path.
   */
  settled(id: string, ms: number, after: (ms: number, fn: () => void) => () => void): Promise<void> {
    if (this.released) return Promise.resolve();
    return new Promise((resolve) => {
      const set = this.waiters.get(id) ?? new Set<() => void>();
      this.waiters.set(id, set);
      // An object, so `wake` can cancel a timer that is set after it is defined.
      const timer = { cancel: () => {} };
      const wake = () => {
        timer.cancel();
        set.delete(wake);
        if (set.size === 0) this.waiters.delete(id);
        resolve();
      };
      set.add(wake);
      timer.cancel = after(ms, wake);
    });
  }

  /**
   * Resolves after `ms` on the given timer, or at once when the store is released (server close): a wait
   * that no timer outlives. Keyed by '', which no future id is, so only `releaseAll` wakes it early.
   */
  hold(ms: number, after: (ms: number, fn: () => void) => () => void): Promise<void> {
    return this.settled('', ms, after);
  }

  /** Answer every held poll now and hold no more (server close: no timers or polls outlive it). */
  releaseAll(): void {
    this.released = true;
    for (const id of [...this.waiters.keys()]) this.wake(id);
  }

  /** Polls currently held open. */
  get heldPolls(): number {
    let n = 0;
    for (const set of this.waiters.values()) n += set.size;
    return n;
  }

  private wake(id: string): void {
    for (const wake of [...(this.waiters.get(id) ?? [])]) wake();
  }

  get size(): number {
    return this.futures.size;
  }
}
