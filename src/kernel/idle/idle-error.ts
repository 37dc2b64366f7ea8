import { PristineError } from '../errors/pristine-error.js';

/** Which bound ended a wait for idle: the caller's `timeoutMs`, or its `signal`. */
export type IdleBound = 'timeoutMs' | 'signal';

/** The kinds of work `kernel.idle()` waits for. */
export type InFlightKind = 'operations' | 'calls' | 'futures' | 'streams';

/**
 * What was in flight, per kind. They nest, so they are not summed: a plugin's operation (a Tinkex
 * sample) makes a call and waits on a future, so 300 samples read `operations: 300`, with their calls
 * and futures beside it.
 */
export type InFlightCounts = Record<InFlightKind, number>;

const NAMES: Record<InFlightKind, [string, string]> = {
  operations: ['operation', 'operations'],
  calls: ['call', 'calls'],
  futures: ['future', 'futures'],
  streams: ['stream', 'streams'],
};

/**
 * `kernel.idle()` stopped waiting before the last call and future settled. Nothing was cancelled: the
 * work still in flight goes on (`close()` cancels it). `inFlight` is how much was left, per kind.
 */
export class IdleWaitError extends PristineError {
  readonly bound: IdleBound;
  readonly inFlight: Readonly<InFlightCounts>;

  constructor(bound: IdleBound, inFlight: InFlightCounts, timeoutMs: number | undefined, cause?: unknown) {
    const why = bound === 'timeoutMs' ? `after timeoutMs ${timeoutMs} ms` : 'because the signal aborted';
    const left = (Object.keys(NAMES) as InFlightKind[])
      .filter((kind) => inFlight[kind] > 0)
      .map((kind) => `${inFlight[kind]} ${NAMES[kind][inFlight[kind] === 1 ? 0 : 1]}`);
    // An operation's own calls and futures are counted beside it: with both there, the operations come
    // first and the rest is said apart ("3 operations, 3 calls, 3 futures" read as 9 things in flight).
    const nested = inFlight.operations > 0 && left.length > 1;
    const what = nested
      ? `${left[0]} still in flight, with ${left.slice(1).join(', ')} (their own among these, not more work)`
      : `${left.join(', ')} still in flight`;
    super(`Stopped waiting for idle ${why}: ${what} (not cancelled; close() cancels them)`, {
      category: 'user',
      retryable: false,
      cause,
    });
    this.bound = bound;
    this.inFlight = inFlight;
  }
}
