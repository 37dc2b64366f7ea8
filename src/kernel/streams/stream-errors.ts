import { APIConnectionError } from '../errors/api-errors.js';
import { PristineError } from '../errors/pristine-error.js';

/** No bytes arrived for longer than the stream's idle timeout (distinct from the request timeout). */
export class StreamIdleTimeoutError extends PristineError {
  constructor(endpointId: string, idleMs: number) {
    super(`Stream "${endpointId}" was idle for more than ${idleMs} ms`, {
      category: 'server',
      retryable: false,
    });
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
