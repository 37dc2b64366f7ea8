import type { Clock } from '../../ports/clock.js';
import { StreamIdleTimeoutError } from './stream-errors.js';

export interface RawBodyGuard {
  endpointId: string;
  /** The longest wait for one chunk; none when undefined. */
  idleMs: number | undefined;
  clock: Clock;
  /** Ends the response (releases its socket). */
  cancel: () => void;
  /** The error a read that failed should be instead (the client's close), if any. */
  closedError: () => Error | undefined;
}

/**
 * A raw stream body (`responseType: 'stream'`, a file download) read safely:
 * - every wait for the next chunk is bounded by `idleMs`: the transport's own body timeout is off for
 *   streams, and the call's deadline ends with the headers, so without this a server that stops mid-body
 *   (a SIGSTOPped process, a dead proxy) would hang the reader for ever. Only the wait for the server is
 *   timed, from each `next()` to its chunk: a reader that pauses between two pulls (backpressure) is not.
 *   On expiry the response is cancelled and the read rejects with `StreamIdleTimeoutError`;
 * - a read the client's `close()` cut is that close (`closedError`), not a connection that broke, as an
 *   event stream's is.
 */
export function guardedRawBody(
  body: AsyncIterable<Uint8Array>,
  guard: RawBodyGuard,
): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]() {
      const chunks = body[Symbol.asyncIterator]();
      const closedInstead = (error: unknown) => {
        throw guard.closedError() ?? error;
      };
      return {
        next() {
          if (guard.idleMs === undefined) return chunks.next().catch(closedInstead);
          const ms = guard.idleMs;
          let stopTimer = (): void => {};
          const idle = new Promise<never>((_, reject) => {
            stopTimer = guard.clock.after(ms, () => {
              guard.cancel();
              reject(new StreamIdleTimeoutError(guard.endpointId, ms, 'callTimeoutMs'));
            });
          });
          idle.catch(() => {}); // the race below reports it; a chunk that won leaves it unobserved
          return Promise.race([chunks.next().catch(closedInstead), idle]).finally(stopTimer);
        },
        return(value?: unknown) {
          return chunks.return?.(value) ?? Promise.resolve({ done: true as const, value: undefined });
        },
      };
    },
  };
}
