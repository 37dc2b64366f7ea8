import type { PortToken } from './port-token.js';
export type ErrorCategory = 'user' | 'server' | 'unknown';

/** What one poll response means, as read by the plugin's protocol. */
export type PollReading<T = unknown> =
  | { state: 'pending' }
  | { state: 'try_again'; queueState?: string; reason?: string; retryAfterMs?: number }
  | { state: 'complete'; value: T }
  | { state: 'complete_metadata'; sizeBytes: number }
  | { state: 'failed'; message: string; category: ErrorCategory; body?: unknown }
  | { state: 'expired' };

/** A `failed` reading, as handed to `PollProtocol.failedError`. */
export type PollFailure = Omit<Extract<PollReading, { state: 'failed' }>, 'state'>;

export interface PollContext {
  requestId: string;
  /** The endpoint that started the operation (e.g. to name the request type on polls). */
  submitEndpoint: string;
  /** Milliseconds from the start of the submit until the future existed (first poll only is typical). */
  submitRoundtripMs: number;
  /** 0 for the first poll. */
  iteration: number;
  /** Whether a metadata-only answer is acceptable (the result may exceed the bytes budget). */
  allowMetadataOnly: boolean;
}

/**
 * A plugin's long-running-operation protocol. The kernel holds no provider specifics: it asks the
 * protocol which endpoint to poll, with what input and headers, and how to read the answer.
 *
 * `T` is the value of a `complete` reading, `B` the poll endpoint's decoded response body that `read`
 * receives, `S` the submit endpoints' response body that `requestId` receives. A protocol written in
 * `definePlugin`'s `pollProtocols` gets `B` and `S` from the manifest's response schemas, and its
 * `pollInput` must return the poll endpoint's input type.
 */
export interface PollProtocol<T = unknown, B = unknown, S = unknown> {
  /** Endpoint id used for polling. */
  pollEndpoint: string;
  /** Extract the operation id from the submit response. */
  requestId(submitResponse: S): string;
  pollInput(context: PollContext): unknown;
  pollHeaders?(context: PollContext): Record<string, string>;
  /**
   * Result bodies in non-JSON media types for this poll (media type → codec schema), if any. `read`
   * then also receives what the codec decoded, so it takes `body: unknown`.
   */
  resultBodies?(context: PollContext): Readonly<Record<string, unknown>> | undefined;
  read(body: B): PollReading<T>;
  /**
   * The error to throw for a `failed` reading. It should extend `FutureFailedError`, so generic catch
   * sites keep working; the default is a plain `FutureFailedError`. Lets a plugin throw its SDK's own
   * class for server-reported failures (Tinker's `RequestFailedError`).
   */
  failedError?(failure: PollFailure, requestId: string): Error;
  /**
   * What to do with a 410 or `expired` answer: resubmit the original request (paced, counted against
   * the future's failure budget), or fail. Default `'fail'`: the future rejects with
   * `FutureExpiredError` naming the request id.
   */
  onExpired?: 'resubmit' | 'fail' | undefined;
  /**
   * Pacing of re-polls after answers that say "not yet" (pending, try_again, 408, 5xx). The kernel
   * always paces; this only tunes it. Default 10 ms doubling to 250 ms.
   */
  repollPacing?: RepollPacing;
  /**
   * Delay before the re-poll that follows a 408 or a 5xx, by poll iteration (0 for the first poll);
   * the kernel's repoll pacing still applies underneath. Default: none (re-poll at once, paced).
   */
  errorBackoffMs?(iteration: number): number;
  /** Per-poll timeout (ms). */
  pollTimeoutMs?: number;
  /** Backoff after 429 or a connection error: min(base·2^k, max). Defaults 1 000 and 30 000 ms. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Offer metadata-only answers from the first poll even without a result-size budget. */
  metadataFirst?(): boolean;
  /**
   * Bytes of results fetched at once after metadata-only answers (two-phase retrieval). A future whose
   * poll answered `complete_metadata` with N bytes takes N from this budget, shared by every future of
   * the protocol in this kernel, before it fetches the result, and holds it until it settles. Read when
   * first needed; undefined means no budget. A result larger than the whole budget is fetched alone.
   */
  inflightResultBytes?(): number | undefined;
  /** Immediate re-polls allowed after bare 400s (proxies send them spuriously); then a 400 is fatal. Default 0. */
  badRequestRetries?: number;
  /**
   * A status that means "paused, wait" (Tinker's 402 billing pause): re-poll every `delayMs` until
   * `maxPauseMs()` has passed since the first such answer of this operation, then fail with it.
   */
  pause?: { status: number; delayMs: number; maxPauseMs(): number };
}

/** Delay before the first re-poll, doubling per consecutive "not yet" answer up to `maxMs`. */
export interface RepollPacing {
  initialMs: number;
  maxMs: number;
}

export interface QueueStateEvent {
  requestId: string;
  queueState: string;
  reason?: string;
}

/** Members also take `undefined`, read as absent (callers pass their own optional values on). */
export interface PollOptions {
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  /** Results larger than this are not fetched in full when a metadata-only answer comes first. */
  maxResultBytes?: number | undefined;
  /** Names the in-flight result byte budget (`PollProtocol.inflightResultBytes`) this future draws on. */
  resultBudgetKey?: string | undefined;
  onQueueState?: ((event: QueueStateEvent) => void) | undefined;
  /**
   * Polls that may fail in a row (connection errors, 5xx) before the future rejects with the last
   * error. The kernel passes the submit endpoint's retry budget; default 10.
   */
  maxConsecutiveFailures?: number | undefined;
}

/**
 * Futures port: polls an operation to completion through the kernel pipeline.
 * `resubmit` is supplied by the kernel so an expired operation can be started again.
 */
export interface FuturePoller {
  poll<T>(
    protocol: PollProtocol<T>,
    requestId: string,
    options: PollOptions & {
      resubmit?: () => Promise<string>;
      submitEndpoint?: string;
      submitRoundtripMs?: number;
    },
  ): Promise<T>;
}

export const FuturesToken = Symbol.for('pristine.port.Futures') as PortToken<FuturePoller>;
