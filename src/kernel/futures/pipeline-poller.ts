import type { Clock } from '../../ports/clock.js';
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
import type { CallOptions, CallResult } from '../pipeline/context.js';
import { FutureExpiredError, FutureFailedError, ResultTooLargeError } from './future-errors.js';
import { DEFAULT_POLL_FAILURE_BUDGET, RepollPacer } from './repoll-pacing.js';

/** Options of one poll: the caller's, plus how to resubmit the request the future came from. */
export type PollerOptions = PollOptions & {
  resubmit?: () => Promise<string>;
  submitEndpoint?: string;
  submitRoundtripMs?: number;
};

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
}

/**
 * What one poll attempt tells the loop to do next. `notYet` re-polls are paced (the server answered
 * at once that the work is not done); `failure` marks an attempt that counts against the budget.
 */
type Step<T> =
  | { next: 'done'; value: T }
  | { next: 'wait'; delayMs: number }
  | {
      next: 'poll';
      delayMs: number;
      notYet?: boolean;
      allowMetadataOnly?: boolean;
      failure?: unknown;
      /** Bytes of the result about to be fetched (after a metadata-only answer). */
      resultBytes?: number;
    }
  | { next: 'expired' }
  | { next: 'backoff'; failure?: unknown };

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
export class PipelinePoller implements FuturePoller {
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
    const started = this.host.clock.now();
    const counter = { polls: 0 };
    const settle = (outcome: 'ok' | 'error') =>
      events.emit('future:settled', {
        endpointId: options.submitEndpoint ?? protocol.pollEndpoint,
        outcome,
        durationMs: this.host.clock.now() - started,
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

  /**
   * The loop, holding its share of the in-flight result byte budget until the future settles. Released
   * in the loop's own `finally`: no `then` pair, closure or holder object per future to do it.
   */
  private async loop<T>(
    protocol: PollProtocol<T>,
    firstRequestId: string,
    options: PollerOptions,
    counter?: { polls: number },
  ): Promise<T> {
    let heldBytes: Release | undefined;
    try {
      const { clock } = this.host;
      let requestId = firstRequestId;
      let iteration = 0;
      let allowMetadataOnly = options.maxResultBytes !== undefined || protocol.metadataFirst?.() === true;
      const allowances: PollAllowances = { badRequests: 0, pausedSince: undefined };
      let backoffExponent = 0;
      let failures = 0;
      const budget = options.maxConsecutiveFailures ?? DEFAULT_POLL_FAILURE_BUDGET;
      const pacer = new RepollPacer(protocol.repollPacing);
      for (;;) {
        options.signal?.throwIfAborted();
        const context: PollContext = {
          requestId,
          iteration,
          allowMetadataOnly,
          submitEndpoint: options.submitEndpoint ?? '',
          submitRoundtripMs: options.submitRoundtripMs ?? 0,
        };
        // One poll, awaited in this frame (a helper's async frame would be one more held per pending
        // future): the request's and the reading's failures go to `onPollError`, the answer's to the caller.
        let reading: PollReading<T> | undefined;
        let step: Step<T> | undefined;
        const sentAt = clock.now();
        try {
          reading = protocol.read((await this.send(protocol, context, options)).body);
        } catch (error) {
          step = this.onPollError(protocol, context, error, options, allowances);
        }
        if (step === undefined) {
          allowances.badRequests = 0;
          allowances.pausedSince = undefined;
          step = this.interpret(protocol, reading as PollReading<T>, context, options);
        }
        iteration++;
        if (counter) counter.polls++;
        if (step.next === 'done') return step.value;
        if (step.next === 'wait') {
          await clock.sleep(step.delayMs, options.signal);
          continue;
        }
        if ((step.next === 'poll' || step.next === 'backoff') && step.failure !== undefined) {
          if (++failures > budget) throw step.failure;
        } else if (step.next !== 'expired') {
          failures = 0;
        }
        if (step.next === 'expired') {
          // Resubmitting is paced and counts against the budget: a server that expires every
          // result must not turn one future into a resubmit loop.
          if (protocol.onExpired === 'resubmit' && options.resubmit && ++failures <= budget) {
            await clock.sleep(pacer.next(), options.signal);
            requestId = await options.resubmit();
            iteration = 0;
            continue;
          }
          throw new FutureExpiredError(requestId);
        }
        if (step.next === 'backoff') {
          const base = protocol.backoffBaseMs ?? 1_000;
          const delay = Math.min(base * 2 ** backoffExponent, protocol.backoffMaxMs ?? 30_000);
          backoffExponent++;
          await clock.sleep(delay, options.signal);
          continue;
        }
        backoffExponent = 0;
        if (step.allowMetadataOnly !== undefined) allowMetadataOnly = step.allowMetadataOnly;
        if (step.resultBytes !== undefined && !heldBytes)
          heldBytes = await this.reserveResultBytes(protocol, options, step.resultBytes);
        const delay = step.notYet ? pacer.next(step.delayMs, clock.now() - sentAt) : step.delayMs;
        if (delay > 0) await clock.sleep(delay, options.signal);
      }
    } finally {
      heldBytes?.();
    }
  }

  /**
   * Two-phase retrieval: take the result's size from the protocol's in-flight budget before fetching it
   * (the Python SDK's `inflight_response_bytes_semaphore_size`), so many large results are not all in
   * memory at once. Without a budget (or a host without semaphores) nothing is held.
   */
  private async reserveResultBytes<T>(
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
  private send<T>(
    protocol: PollProtocol<T>,
    context: PollContext,
    options: PollOptions,
  ): Promise<CallResult> {
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

  private onPollError<T>(
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
      const now = this.host.clock.now();
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

  private interpret<T>(
    protocol: PollProtocol<T>,
    reading: PollReading<T>,
    context: PollContext,
    options: PollOptions,
  ): Step<T> {
    switch (reading.state) {
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

/** Per-operation allowances: bare 400s re-polled so far, and when the current pause began. */
interface PollAllowances {
  badRequests: number;
  pausedSince: number | undefined;
}

function safeRead<T>(protocol: PollProtocol<T>, body: unknown): PollReading<T> | undefined {
  try {
    return protocol.read(body);
  } catch {
    return undefined;
  }
}
