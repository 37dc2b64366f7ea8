import { BodySourceError } from '../errors/body-source-error.js';

/**
 * A one-shot raw request body (a `Readable`, an async iterable) whose own failures are typed where they
 * are known for one: past the transport, a stream's error would read as a retryable connection error
 * (undici) or as got's unrelated `ERR_GOT_REQUEST_ERROR`. Chunks pass through as they are.
 */
export async function* guardedSource(source: AsyncIterable<unknown>): AsyncGenerator<Uint8Array> {
  const chunks = source[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      let next: IteratorResult<unknown>;
      try {
        next = await chunks.next();
      } catch (error) {
        finished = true;
        throw new BodySourceError('the raw request body', error, 'give a string or bytes for a body');
      }
      if (next.done) {
        finished = true;
        return;
      }
      const chunk = next.value;
      // A Readable in string mode (`Readable.from(['text'])`) hands out strings.
      yield typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
    }
  } finally {
    // The transport stopped reading (an abort, a failed exchange): the source is released, as piping
    // it would have destroyed it.
    if (!finished) await chunks.return?.();
  }
}
