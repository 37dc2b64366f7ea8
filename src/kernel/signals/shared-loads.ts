import { abortErrorFor } from './abort-error-for.js';
import { untilAborted } from './until-aborted.js';

/** A load in progress or kept, and the signal it runs under (that of the call that started it). */
interface Entry<T> {
  readonly work: Promise<T>;
  readonly signal: AbortSignal | undefined;
}

/** How one `SharedLoads.get` call may start the load when none is in progress or kept for its key. */
export interface SharedLoadStart<T> {
  /** Starts the load under `signal`: that of the call that starts it. */
  (signal: AbortSignal | undefined): Promise<T>;
}

/** Options of `SharedLoads.get`. */
export interface SharedLoadOptions<T> {
  /**
   * Whether a loaded value is kept for the next call (default: always). A value that later calls should
   * not reuse (one loaded from an incomplete cache, say) is handed to the callers waiting, then forgotten.
   */
  keep?: (value: T) => boolean;
}

/**
 * Loads, one per key, shared by the calls that ask for the same key while it runs and kept once done
 * (a tokenizer downloaded once for every call that wants it). Each call has its own AbortSignal:
 *
 * - a call's signal ends that call's wait at once (`untilAborted`), never another caller's, and the load
 *   goes on for the others;
 * - the load runs under the signal of the call that started it: when that signal ends it, a caller still
 *   waiting (whose own signal has not aborted) starts it again under its own signal, instead of failing
 *   with another caller's abort;
 * - a failed load is not remembered: the next call tries again (the network may be back, a token set).
 *
 * A call whose signal had aborted before it asked rejects at once and starts nothing. No listener stays
 * on a signal once its call settles, so a signal reused for many calls collects none. For a single load
 * (one per client), use one key.
 */
export class SharedLoads<K, T> {
  private readonly entries = new Map<K, Entry<T>>();

  /**
   * The value for `key`: the load in progress or kept for it, else one `start` begins under `signal`.
   * Every caller of a key must start the same load (the key holds every input that changes its value).
   */
  get(
    key: K,
    signal: AbortSignal | undefined,
    start: SharedLoadStart<T>,
    options?: SharedLoadOptions<T>,
  ): Promise<T> {
    if (signal?.aborted) return Promise.reject(abortErrorFor(signal));
    const entry = this.entries.get(key) ?? this.begin(key, signal, start, options?.keep);
    return untilAborted(entry.work, signal).catch((error: unknown) => {
      const startedBy = entry.signal;
      if (startedBy !== signal && startedBy?.aborted && !signal?.aborted)
        return this.get(key, signal, start, options);
      throw error;
    });
  }

  private begin(
    key: K,
    signal: AbortSignal | undefined,
    start: SharedLoadStart<T>,
    keep: ((value: T) => boolean) | undefined,
  ): Entry<T> {
    let work: Promise<T>;
    try {
      work = start(signal);
    } catch (error) {
      // A start that throws instead of rejecting fails its callers the same way, and is not kept.
      work = Promise.reject(error as Error);
    }
    const entry: Entry<T> = { work, signal };
    this.entries.set(key, entry);
    // Only this entry: a later load for the key (started after this one failed) stays.
    const drop = () => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    };
    work.then((value) => {
      if (keep && !keep(value)) drop();
    }, drop);
    return entry;
  }
}
