import { APITimeoutError, APIUserAbortError } from '../../kernel/errors/api-errors.js';
import type { PristineError } from '../../kernel/errors/pristine-error.js';
import type { TransportRequest } from '../../ports/transport.js';
import { describeTarget } from './transport-errors.js';

const noop = () => {};

/**
 * One attempt's clock. `timeoutMs` bounds the whole attempt (connect, proxy tunnel, redirects, headers
 * and, unless the request streams, every byte of the body); the caller's signal may end it sooner. The
 * library gets `signal`, which aborts on either, and `race` settles at the deadline even when a library
 * ignores its signal (undici never looks at the signal of a request still waiting for a connection).
 * Libraries' own timeouts are not enough: undici's run on a coarse clock and restart with every chunk.
 */
export class AttemptDeadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout | undefined;
  private ended: 'timeout' | 'abort' | undefined;
  private readonly onCallerAbort = () => this.end('abort');

  constructor(private readonly request: TransportRequest) {
    const caller = request.signal;
    if (caller?.aborted) {
      this.end('abort');
      return;
    }
    caller?.addEventListener('abort', this.onCallerAbort, { once: true });
    this.timer = setTimeout(() => this.end('timeout'), request.timeoutMs);
  }

  /** Aborts when the deadline passes or the caller aborts. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** How the attempt was cut short, if it was. */
  get ending(): 'timeout' | 'abort' | undefined {
    return this.ended;
  }

  /** The typed error for how the attempt was cut short. */
  failure(cause?: unknown): PristineError {
    const { timeoutMs, signal } = this.request;
    return this.ended === 'timeout'
      ? new APITimeoutError(`Request timed out after ${timeoutMs} ms: ${describeTarget(this.request)}`, {
          cause,
        })
      : new APIUserAbortError(undefined, { cause: cause ?? signal?.reason });
  }

  /** Headers of a streaming response arrived: the clock stops, the caller's signal still ends the body. */
  stopClock(): void {
    clearTimeout(this.timer);
  }

  /** The attempt is over (body read, cancelled or failed): drop the timer and the caller listener. */
  release(): void {
    clearTimeout(this.timer);
    this.request.signal?.removeEventListener('abort', this.onCallerAbort);
  }

  /**
   * `promise`, unless the attempt is cut short first: then the typed failure at once, and `discard`
   * receives the value should it still arrive (so a late response releases its socket).
   */
  race<T>(promise: Promise<T>, discard: (value: T) => void = noop): Promise<T> {
    if (this.ended) {
      promise.then(discard, noop);
      return Promise.reject(this.failure());
    }
    const signal = this.controller.signal;
    return new Promise<T>((resolve, reject) => {
      const onEnd = () => reject(this.failure());
      signal.addEventListener('abort', onEnd, { once: true });
      promise.then(
        (value) => {
          signal.removeEventListener('abort', onEnd);
          if (this.ended) discard(value);
          else resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onEnd);
          reject(error);
        },
      );
    });
  }

  private end(how: 'timeout' | 'abort'): void {
    if (this.ended) return;
    this.ended = how;
    this.release();
    this.controller.abort(this.failure());
  }
}
