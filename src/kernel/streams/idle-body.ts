import type { Clock } from '../../ports/clock.js';
import { StreamIdleTimeoutError } from './stream-errors.js';

/**
 * A raw stream body (`responseType: 'stream'`, a file download) whose every wait for the next chunk is
 * bounded by `ms`: the transport's own body timeout is off for streams, and the call's deadline ends with
 * the headers, so without this a server that stops mid-body (a SIGSTOPped process, a dead proxy) would
 * hang the reader for ever. Only the wait for the server is timed, from each `next()` to its chunk: a
 * reader that pauses between two pulls (backpressure) is not. On expiry the response is cancelled, which
 * releases the socket, and the read rejects with `StreamIdleTimeoutError`.
 */
export function idleBoundedBody(
  body: AsyncIterable<Uint8Array>,
  bound: { endpointId: string; ms: number; clock: Clock; cancel: () => void },
): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]() {
      const chunks = body[Symbol.asyncIterator]();
      return {
        next() {
          let stopTimer = (): void => {};
          const idle = new Promise<never>((_, reject) => {
            stopTimer = bound.clock.after(bound.ms, () => {
              bound.cancel();
              reject(new StreamIdleTimeoutError(bound.endpointId, bound.ms, 'callTimeoutMs'));
            });
          });
          idle.catch(() => {}); // the race below reports it; a chunk that won leaves it unobserved
          return Promise.race([chunks.next(), idle]).finally(stopTimer);
        },
        return(value?: unknown) {
          return chunks.return?.(value) ?? Promise.resolve({ done: true as const, value: undefined });
        },
      };
    },
  };
}
