import { BodySourceError } from '../errors/body-source-error.js';

/**
 * A one-shot request body source (a raw body's or a multipart file part's `Readable`, an async
 * iterable) whose own failures are typed where they are known for one: past the encoder and the
 * transport, a stream's error would read as a retryable connection error (undici) or as got's unrelated
 * `ERR_GOT_REQUEST_ERROR`. Chunks pass through as they are, strings as their UTF-8 bytes.
 *
 * @param what the body, as its author knows it (see BodySourceError)
 * @param remedy what to give instead for a body that should survive a retry
 */
export async function* guardedSource(
  source: AsyncIterable<unknown>,
  what = 'the raw request body',
  remedy = 'give a string or bytes for a body',
): AsyncGenerator<Uint8Array> {
  const chunks = source[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      let next: IteratorResult<unknown>;
      try {
        next = await chunks.next();
      } catch (error) {
        finished = true;
        throw new BodySourceError(what, error, remedy);
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
