import type { APIFuture } from './api-future.js';

/** Combinators over futures (or any promises). Results keep the input order. */
export const Futures = {
  /** All results in order; the first failure rejects (its error carries its request id). */
  all<T>(futures: readonly PromiseLike<T>[]): Promise<T[]> {
    return Promise.all(futures);
  },

  /** The first future to settle. */
  race<T>(futures: readonly PromiseLike<T>[]): Promise<T> {
    return Promise.race(futures);
  },

  /**
   * Map items to futures with bounded concurrency, then await them; results in input order. Stops
   * starting new work after the first failure.
   */
  async map<I, T>(
    items: readonly I[],
    start: (item: I, index: number) => Promise<APIFuture<T>> | APIFuture<T> | Promise<T>,
    options: { concurrency?: number | undefined } = {},
  ): Promise<T[]> {
    const results = new Array<T>(items.length);
    const limit = Math.max(1, options.concurrency ?? 16);
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (!failed && next < items.length) {
        const index = next++;
        try {
          results[index] = await await start(items[index], index);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return results;
  },
};
