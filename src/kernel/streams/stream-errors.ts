import { APIConnectionError } from '../errors/api-errors.js';
import { PristineError } from '../errors/pristine-error.js';

/**
 * No bytes arrived for longer than the stream's idle bound: its `idleTimeoutMs` (call option, then the
 * endpoint's stream spec) or else the call's `timeoutMs`, which otherwise bounds only the wait for the
 * response headers; for a raw body (`responseType: 'stream'`, e.g. a download), the call's `timeoutMs`. The connection is closed when this is thrown.
 */
export class StreamIdleTimeoutError extends PristineError {
  /** The bound that ran out, in milliseconds. */
  readonly idleMs: number;

  constructor(
    endpointId: string,
    idleMs: number,
    bound: 'idleTimeoutMs' | 'timeoutMs' | 'callTimeoutMs' = 'idleTimeoutMs',
  ) {
    // `callTimeoutMs`: a raw body (`responseType: 'stream'`), which has no idleTimeoutMs of its own.
    const named =
      bound === 'idleTimeoutMs'
        ? `its idleTimeoutMs (${idleMs} ms)`
        : bound === 'timeoutMs'
          ? `the call's timeoutMs (${idleMs} ms), since the stream sets no idleTimeoutMs`
          : `the call's timeoutMs (${idleMs} ms)`;
    super(`Stream "${endpointId}" sent nothing for longer than ${named}; the connection was closed`, {
      category: 'server',
      retryable: false,
    });
    this.idleMs = idleMs;
  }
}

/** The server sent the endpoint's error event. */
export class StreamEventError extends PristineError {
  constructor(endpointId: string, data: unknown) {
    super(
      `Stream "${endpointId}" reported an error: ${typeof data === 'string' ? data : JSON.stringify(data)}`,
      {
        body: data,
        category: 'server',
      },
    );
  }
}

/**
 * The body ended cleanly but without the end marker the endpoint declares (terminator or done event):
 * something between client and server cut the stream, and the events so far may be incomplete. A
 * connection error, so a resumable stream reconnects with `Last-Event-ID` as after any other drop.
 */
export class StreamTruncatedError extends APIConnectionError {
  constructor(endpointId: string, marker: string) {
    super(`Stream "${endpointId}" ended without its ${marker}; it was cut`);
  }
}
