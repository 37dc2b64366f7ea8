import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { Release, Semaphore } from '../../ports/semaphore.js';
import type {
  PollContext,
  PollOptions,
  PollProtocol,
  PollReading,
  FuturePoller,
} from '../../ports/futures.js';
import { APIConnectionError } from '../errors/api-errors.js';
import { PristineError } from '../errors/pristine-error.js';
import type { KernelEvents } from '../events.js';
import { scrubError } from '../errors/error-secrets.js';
import { retryMessage, retryReason } from '../pipeline/stages/retry.js';
import type { RetryLog } from '../retry-log.js';
import type { SecretRegistry } from '../redact.js';
import type { CallOptions, CallResult } from '../pipeline/context.js';
import { FutureFailedError, ResultTooLargeError } from './future-errors.js';
import { PollLoop, type PollAllowances, type PollerOptions, type PollSteps, type Step } from './poll-loop.js';

export type { PollerOptions };

export interface PollerHost {
  execute(endpointId: string, input: unknown, options?: CallOptions): Promise<CallResult>;
  /**
   * `execute` for options built here from checked values, whose per-call option check is skipped: the
   * poll timeout is checked when the plugin registers, the poll headers by the check-headers stage
   * before they leave (one check, not two, per poll). Hosts without it get `execute`.
   */
  executeBuilt?(endpointId: string, input: unknown, options: CallOptions): Promise<CallResult>;
  readonly clock: Clock;
  emitQueueState(event: { requestId: string; queueState: string; reason?: string }): void;
  /** Told `future:settled` when someone observes it (metrics); absent in hosts without events. */
  readonly events?: KernelEvents;
  /** The kernel's shared weighted semaphores, by name (the in-flight result byte budget). */
  semaphore?(key: string, capacity: number): Semaphore;
  /** Where a failed poll's retry is logged; hosts without one stay silent. */
  readonly logger?: Logger;
  /**
   * The kernel's retry lines summed up per endpoint and cause (the pipeline's retries use it too); a host
   * without one logs each poll retry at info.
   */
  readonly retryLog?: RetryLog;
  readonly secrets?: SecretRegistry;
}

/**
 * Polls an operation to completion through the kernel pipeline, so every poll gets auth, telemetry and
 * the breaker. The protocol (the plugin's) says what each answer means; this loop holds no provider
 * specifics.
 *
 * Two kernel guarantees hold whatever the protocol says: "not yet" answers are re-polled with a
 * growing floor between polls (`RepollPacer`: 10 ms doubling to 250 ms, counted from when the poll was
 * sent, so at most 4 polls a second per future; a poll the server held that long waits no more), and
 * polls that fail in a row (connection errors, 5xx) reject the future with the last error once
 * `maxConsecutiveFailures` is spent, so a future never polls a dead server forever.
 */
export class PipelinePoller implements FuturePoller, PollSteps {
  constructor(private readonly host: PollerHost) {}

  poll<T>(protocol: PollProtocol<T>, firstRequestId: string, options: PollerOptions): Promise<T> {
    const events = this.host.events;
    // Unobserved (the common case) the loop runs as before: no clock read, no counter, and no async
    // frame of its own held for the future's whole life.
    if (!events?.observed('future:settled')) return this.loop(protocol, firstRequestId, options);
    return this.observed(events, protocol, firstRequestId, options);
  }

  private async observed<T>(
    events: KernelEvents,
    protocol: PollProtocol<T>,
    firstRequestId: string,
    options: PollerOptions,
  ): Promise<T> {
    const started = this.host.clock.monotonic();
    const counter = { polls: 0 };
    const settle = (outcome: 'ok' | 'error') =>
      events.emit('future:settled', {
        endpointId: options.submitEndpoint ?? protocol.pollEndpoint,
        outcome,
        durationMs: this.host.clock.monotonic() - started,
        polls: counter.polls,
      });
    try {
      const value = await this.loop(protocol, firstRequestId, options, counter);
      settle('ok');
      return value;
    } catch (error) {
      settle('error');
      throw error;
    }
  }

  /** The loop (`PollLoop`), holding its share of the in-flight result byte budget until it settles. */
  private loop<T>(
    protocol: PollProtocol<T>,
    firstRequestId: string,
    options: PollerOptions,
    counter?: { polls: number },
  ): Promise<T> {
    return new PollLoop(this, protocol, firstRequestId, options, counter).run();
  }

  /** The host's clock (`PollSteps`). */
  get clock(): Clock {
    return this.host.clock;
  }

  /**
   * Two-phase retrieval: take the result's size from the protocol's in-flight budget before fetching it
   * (the Python SDK's `inflight_response_bytes_semaphore_size`), so many large results are not all in
   * memory at once. Without a budget (or a host without semaphores) nothing is held.
   */
  /** @internal (`PollSteps`) */
  async reserveResultBytes<T>(
    protocol: PollProtocol<T>,
    options: PollerOptions,
    bytes: number,
  ): Promise<Release | undefined> {
    const capacity = protocol.inflightResultBytes?.();
    if (capacity === undefined || !this.host.semaphore) return undefined;
    const key = options.resultBudgetKey ?? `futures:${protocol.pollEndpoint}:result-bytes`;
    return this.host.semaphore(key, capacity).acquire(Math.max(0, bytes), options.signal);
  }

  /** One poll request through the pipeline, without retries (each poll is one attempt of the loop). */
  /** @internal (`PollSteps`) */
  send<T>(protocol: PollProtocol<T>, context: PollContext, options: PollOptions): Promise<CallResult> {
    const host = this.host;
    const input = protocol.pollInput(context);
    const pollOptions: CallOptions = {
      timeoutMs: protocol.pollTimeoutMs,
      maxRetries: 0,
      headers: protocol.pollHeaders?.(context),
      responseBodies: protocol.resultBodies?.(context),
      signal: options.signal,
    };
    return host.executeBuilt
      ? host.executeBuilt(protocol.pollEndpoint, input, pollOptions)
      : host.execute(protocol.pollEndpoint, input, pollOptions);
  }

  /**
   * At info, like the pipeline's own retries and through the same RetryLog: during an outage a training
   * loop's futures poll for minutes (the failure budget's backoff), and a user must see why within the
   * first backoff, without a line per future.
   */
  /** @internal (`PollSteps`) */
  onRetry<T>(
    protocol: PollProtocol<T>,
    requestId: string,
    retry: { attempt: number; delayMs: number; error: unknown },
    budget: number,
  ): void {
    const logger = this.host.logger;
    if (!logger) return;
    const secrets = this.host.secrets;
    const error = retry.error instanceof Error && secrets ? scrubError(retry.error, secrets) : retry.error;
    const line = retryMessage(`${protocol.pollEndpoint} of ${requestId}`, { ...retry, error }, budget);
    const fields = {
      endpoint: protocol.pollEndpoint,
      request_id: requestId,
      attempt: retry.attempt,
      delay_ms: Math.round(retry.delayMs),
    };
    // Keyed by the poll endpoint and the cause, not the request id: 200 futures polling through an
    // outage say one line per window and a count, not 200 lines (each is still at debug, with its id).
    const retryLog = this.host.retryLog;
    if (retryLog) retryLog.retried(protocol.pollEndpoint, retryReason(error), retry.attempt, line, fields);
    else logger.info(line, fields);
  }

  /** @internal (`PollSteps`) */
  onPollError<T>(
    protocol: PollProtocol<T>,
    context: PollContext,
    error: unknown,
    options: PollOptions,
    allowances: PollAllowances,
  ): Step<T> {
    if (options.signal?.aborted) throw error;
    // A connection error that can never succeed (a proxy's 407) fails the future below; others back off.
    if (error instanceof APIConnectionError && error.retryable) return { next: 'backoff', failure: error };
    if (!(error instanceof PristineError) || error.status === undefined) throw error;
    const status = error.status;
    if (status === 400 && allowances.badRequests < (protocol.badRequestRetries ?? 0)) {
      allowances.badRequests++;
      return { next: 'poll', delayMs: 0 };
    }
    const pause = protocol.pause;
    if (pause && status === pause.status) {
      const now = this.host.clock.monotonic();
      allowances.pausedSince ??= now;
      if (now - allowances.pausedSince < pause.maxPauseMs()) return { next: 'wait', delayMs: pause.delayMs };
      throw error;
    }
    if (status === 408) allowances.badRequests = 0;
    if (status === 410) return { next: 'expired' };
    // The server is alive and pacing us: back off, but this is not a failure.
    if (status === 429) return { next: 'backoff' };
    if (status === 408) {
      // A 408 carries a try-again body: report the queue state and poll again (paced).
      const reading = safeRead(protocol, error.body);
      if (reading?.state === 'try_again') this.report(context.requestId, reading, options);
      return { next: 'poll', delayMs: protocol.errorBackoffMs?.(context.iteration) ?? 0, notYet: true };
    }
    if (status >= 500) {
      const delayMs = protocol.errorBackoffMs?.(context.iteration) ?? 0;
      return { next: 'poll', delayMs, notYet: true, failure: error };
    }
    throw error;
  }

  /** @internal (`PollSteps`) */
  interpret<T>(
    protocol: PollProtocol<T>,
    reading: PollReading<T>,
    context: PollContext,
    options: PollOptions,
  ): Step<T> {
    // `?.`: a JavaScript plugin's `read` may return anything; the default case names what it gave.
    switch (reading?.state) {
      case 'complete':
        return { next: 'done', value: reading.value };
      case 'pending':
        return { next: 'poll', delayMs: 0, notYet: true };
      case 'try_again':
        this.report(context.requestId, reading, options);
        return { next: 'poll', delayMs: reading.retryAfterMs ?? 0, notYet: true };
      case 'complete_metadata': {
        const budget = options.maxResultBytes ?? Number.POSITIVE_INFINITY;
        if (reading.sizeBytes > budget)
          throw new ResultTooLargeError(context.requestId, reading.sizeBytes, budget);
        return { next: 'poll', delayMs: 0, allowMetadataOnly: false, resultBytes: reading.sizeBytes };
      }
      case 'failed': {
        const { message, category, body } = reading;
        throw (
          protocol.failedError?.({ message, category, body }, context.requestId) ??
          new FutureFailedError(message, context.requestId, category, body)
        );
      }
      case 'expired':
        return { next: 'expired' };
      default:
        // Thrown here, the poll loop fails the future; unhandled, it would end the process.
        throw unknownReading(protocol.pollEndpoint, context.requestId, reading);
    }
  }

  private report(
    requestId: string,
    reading: { queueState?: string; reason?: string },
    options: PollOptions,
  ): void {
    const event = { requestId, queueState: reading.queueState ?? 'unknown', reason: reading.reason };
    this.host.emitQueueState(event);
    try {
      options.onQueueState?.(event);
    } catch {
      /* observers never break polling */
    }
  }
}

function safeRead<T>(protocol: PollProtocol<T>, body: unknown): PollReading<T> | undefined {
  try {
    return protocol.read(body);
  } catch {
    return undefined;
  }
}

function unknownReading(pollEndpoint: string, requestId: string, reading: unknown): PristineError {
  const state = (reading as { state?: unknown } | null | undefined)?.state;
  const read =
    reading == null ? `no reading (${String(reading)})` : `state ${JSON.stringify(state) ?? String(state)}`;
  return new PristineError(
    `The poll protocol polling "${pollEndpoint}" for ${requestId} read ${read}; a reading's state is ` +
      'one of pending, try_again, complete, complete_metadata, failed or expired',
    { category: 'user' },
  );
}
