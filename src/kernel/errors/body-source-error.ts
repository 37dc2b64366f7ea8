import { sanitizedCause } from './error-secrets.js';
import { PristineError } from './pristine-error.js';

/**
 * The request body's own source failed while it was being sent (a file part's or a raw body's
 * `Readable` errored: a disk, a pipe or a generator gone mid-upload). The network was fine, so this is
 * not a connection error, and it is never retried: a stream is read once, and the half of it already
 * sent cannot be read again. `cause` is the stream's error.
 */
export class BodySourceError extends PristineError {
  /**
   * @param what the body, as its author knows it (`file part "file" (big.bin)`, `the raw request body`)
   * @param remedy what to give instead for a body that should survive a retry
   */
  constructor(what: string, error: unknown, remedy = 'give a path or bytes for a part') {
    const reason = (error as Error)?.message ?? String(error);
    super(
      `The request body failed while it was being sent: the stream of ${what} errored: ${reason}. ` +
        `A stream is read once and cannot be replayed, so the call was not retried; ${remedy} that ` +
        'should survive a retry.',
      { category: 'user', retryable: false, cause: sanitizedCause(error) },
    );
  }
}
