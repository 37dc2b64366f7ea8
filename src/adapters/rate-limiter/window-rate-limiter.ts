import type { Clock } from '../../ports/clock.js';
import { ADMITTED, type RateLimiter, type TokenBucketSettings } from '../../ports/rate-limiter.js';
import { onAbort } from '../../kernel/signals/on-abort.js';
import { abortErrorFor } from '../../kernel/signals/abort-error-for.js';

interface TokenWaiter {
  settings: TokenBucketSettings;
  grant: () => void;
}

interface Bucket {
  /** `clock.monotonic()` when the backoff window reopens; 0: never closed. */
  openAt: number;
  /** Starts at +Infinity so the first refill caps it at the burst (a fresh bucket is full). */
  tokens: number;
  refilledAt: number;
  /** Token waiters in arrival order; only the pump hands out tokens while any wait. */
  waiters: TokenWaiter[];
  /** Cancels the pump's sleep when the last waiter aborts, so no timer is left behind. */
  pump: AbortController | undefined;
}

/** One settled promise shared by every caller that may go at once (the pipeline skips awaiting it). */
const GO = ADMITTED;

/** Float slack so a sleep computed to refill exactly one token is not followed by a 1e-13 ms one. */
const EPSILON = 1e-9;
/** A window that reopened this long ago may be forgotten (`reopensAt` then answers 0). */
export const FORGET_REOPENED_AFTER_MS = 3_600_000;
/** Never sweep below this many buckets. */
const MIN_SWEEP_AT = 64;

/**
 * Per-bucket rate limiting:
 * (a) a backoff window — after a 429, `backoff(bucket, ms)` closes the bucket until `now + ms`
 *     (extending, never shortening) and every `acquire` on it waits until it reopens;
 * (b) an optional token bucket — `requestsPerSecond` with a `burst`, served strictly in arrival
 *     order (a newcomer never takes a token ahead of someone already waiting).
 * Buckets never block each other. Every wait goes through the Clock and is abortable: an aborted
 * caller rejects with APIUserAbortError at once and leaves no timer behind. Windows and refills are
 * measured on `clock.monotonic()`: a wall clock stepped back an hour does not close a bucket for an
 * hour, nor does one stepped forward refill every bucket at once.
 */
export class WindowRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private sweepAt = MIN_SWEEP_AT;

  constructor(private readonly clock: Clock) {}

  waitTime(bucket: string): number {
    const state = this.buckets.get(bucket);
    return state ? Math.max(0, state.openAt - this.clock.monotonic()) : 0;
  }

  /**
   * The port speaks epoch ms; the window is kept on monotonic time, so this is where the wall clock
   * says it reopens now: `clock.now() - reopensAt` is the monotonic time since, whatever step came.
   */
  reopensAt(bucket: string): number {
    const openAt = this.buckets.get(bucket)?.openAt ?? 0;
    return openAt === 0 ? 0 : this.clock.now() - (this.clock.monotonic() - openAt);
  }

  backoff(bucket: string, ms: number): void {
    if (!(ms > 0)) return;
    const state = this.bucket(bucket);
    state.openAt = Math.max(state.openAt, this.clock.monotonic() + ms);
  }

  acquire(
    bucket: string,
    options: { signal?: AbortSignal; tokenBucket?: TokenBucketSettings } = {},
  ): Promise<void> {
    const { signal, tokenBucket } = options;
    if (signal?.aborted) return Promise.reject(abortErrorFor(signal));
    if (tokenBucket) {
      try {
        validate(tokenBucket);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    // Not async: every request passes here, and an open bucket should cost no promise of its own.
    if (this.waitTime(bucket) > 0) return this.waitForWindow(bucket, tokenBucket, signal);
    return this.take(bucket, tokenBucket, signal);
  }

  private async waitForWindow(
    bucket: string,
    tokenBucket: TokenBucketSettings | undefined,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    // Re-check after each sleep: the window may have been extended meanwhile.
    for (let wait = this.waitTime(bucket); wait > 0; wait = this.waitTime(bucket)) {
      await this.clock.sleep(wait, signal);
    }
    return this.take(bucket, tokenBucket, signal);
  }

  /** Take a token (or pass, without a token bucket); queue behind earlier waiters otherwise. */
  private take(
    bucket: string,
    tokenBucket: TokenBucketSettings | undefined,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    if (!tokenBucket) return GO;
    const state = this.bucket(bucket);
    this.refill(state, tokenBucket);
    if (state.waiters.length === 0 && state.tokens >= 1 - EPSILON) {
      state.tokens -= 1;
      return GO;
    }
    return this.enqueue(state, tokenBucket, signal);
  }

  private enqueue(state: Bucket, settings: TokenBucketSettings, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiter: TokenWaiter = {
        settings,
        grant: () => {
          unsubscribe?.();
          resolve();
        },
      };
      const unsubscribe =
        signal &&
        onAbort(signal, () => {
          const index = state.waiters.indexOf(waiter);
          if (index !== -1) state.waiters.splice(index, 1);
          if (state.waiters.length === 0) state.pump?.abort();
          reject(abortErrorFor(signal));
        });
      state.waiters.push(waiter);
      // A pump whose last waiter just aborted may not have unwound yet: start a fresh one.
      if (!state.pump || state.pump.signal.aborted) void this.pump(state);
    });
  }

  /** Hands out tokens to the waiters in order, sleeping until the next one refills. One per bucket. */
  private async pump(state: Bucket): Promise<void> {
    const controller = new AbortController();
    state.pump = controller;
    try {
      while (!controller.signal.aborted && state.waiters.length > 0) {
        const head = state.waiters[0];
        const closedFor = state.openAt - this.clock.monotonic();
        if (closedFor > 0) {
          // A 429 arrived while these callers queued: the window applies to them too.
          await this.clock.sleep(closedFor, controller.signal);
          continue;
        }
        this.refill(state, head.settings);
        if (state.tokens >= 1 - EPSILON) {
          state.tokens -= 1;
          state.waiters.shift();
          head.grant();
          continue;
        }
        const ms = ((1 - state.tokens) / head.settings.requestsPerSecond) * 1000;
        await this.clock.sleep(ms, controller.signal);
      }
    } catch {
      // Aborted: the last waiter left. Nothing to hand out.
    } finally {
      if (state.pump === controller) state.pump = undefined;
    }
  }

  private refill(state: Bucket, settings: TokenBucketSettings): void {
    const now = this.clock.monotonic();
    const earned = (Math.max(0, now - state.refilledAt) / 1000) * settings.requestsPerSecond;
    state.tokens = Math.min(settings.burst, state.tokens + earned);
    state.refilledAt = now;
  }

  private bucket(key: string): Bucket {
    let state = this.buckets.get(key);
    if (!state) {
      if (this.buckets.size >= this.sweepAt) this.sweep();
      state = {
        openAt: 0,
        tokens: Number.POSITIVE_INFINITY,
        refilledAt: this.clock.monotonic(),
        waiters: [],
        pump: undefined,
      };
      this.buckets.set(key, state);
    }
    return state;
  }

  /**
   * Buckets may be keyed per remote object (Tinkex: one per sampler, made every few steps of an RL loop,
   * each closed by its first 429), so a long-lived client kept every bucket ever closed. Each time the
   * map has doubled, the ones that are spent are dropped: nobody waits, no token was ever taken (a full
   * token bucket is what a new one would be only if we knew its settings), and the window reopened over
   * FORGET_REOPENED_AFTER_MS ago, past any "recently throttled" phase worth keeping.
   */
  private sweep(): void {
    const before = this.clock.monotonic() - FORGET_REOPENED_AFTER_MS;
    for (const [key, state] of this.buckets) {
      const reopenedLongAgo = state.openAt === 0 || state.openAt <= before;
      const spent = reopenedLongAgo && state.waiters.length === 0 && !state.pump;
      if (spent && state.tokens === Number.POSITIVE_INFINITY) this.buckets.delete(key);
    }
    this.sweepAt = Math.max(MIN_SWEEP_AT, 2 * this.buckets.size);
  }
}

function validate(settings: TokenBucketSettings): void {
  if (!(settings.requestsPerSecond > 0) || !(settings.burst >= 1)) {
    throw new RangeError(
      `Token bucket needs requestsPerSecond > 0 and burst >= 1, got ${settings.requestsPerSecond} and ${settings.burst}`,
    );
  }
}

/**
 * The default bucket key: a base URL plus a credential identity, which must already be a hash (e.g.
 * `fingerprint(key)`), never a raw key. Same shape as the kernel's rate-limit stage uses.
 */
export function bucketKey(baseUrl: string, identity: string): string {
  return `${baseUrl}|${identity}`;
}
