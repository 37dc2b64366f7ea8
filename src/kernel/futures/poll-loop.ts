import type { Clock } from '../../ports/clock.js';
import type { PollContext, PollOptions, PollProtocol, PollReading } from '../../ports/futures.js';
import type { Release } from '../../ports/semaphore.js';
import type { CallResult } from '../pipeline/context.js';
import { FutureExpiredError } from './future-errors.js';
import { DEFAULT_POLL_FAILURE_BUDGET, RepollPacer } from './repoll-pacing.js';
import { abortErrorFor } from '../signals/abort-error-for.js';

/** Options of one poll: the caller's, plus how to resubmit the request the future came from. */
export type PollerOptions = PollOptions & {
  resubmit?: () => Promise<string>;
  submitEndpoint?: string;
  submitRoundtripMs?: number;
};

/**
 * What one poll attempt tells the loop to do next. `notYet` re-polls are paced (the server answered
 * at once that the work is not done); `failure` marks an attempt that counts against the budget.
 */
export type Step<T> =
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

/** Per-operation allowances: bare 400s re-polled so far, and when the current pause began. */
export interface PollAllowances {
  badRequests: number;
  /** `clock.monotonic()`: a wall clock stepped forward must not end the pause at once. */
  pausedSince: number | undefined;
}

/** What the loop asks of its poller (`PipelinePoller`): one poll, and what an answer means. */
export interface PollSteps {
  readonly clock: Clock;
  send<T>(protocol: PollProtocol<T>, context: PollContext, options: PollOptions): Promise<CallResult>;
  interpret<T>(
    protocol: PollProtocol<T>,
    reading: PollReading<T>,
    context: PollContext,
    options: PollOptions,
  ): Step<T>;
  onPollError<T>(
    protocol: PollProtocol<T>,
    context: PollContext,
    error: unknown,
    options: PollOptions,
    allowances: PollAllowances,
  ): Step<T>;
  reserveResultBytes<T>(
    protocol: PollProtocol<T>,
    options: PollerOptions,
    bytes: number,
  ): Promise<Release | undefined>;
  /** A failed poll is about to be repeated after `delayMs`: the `retry`-th of `budget` tolerated. */
  onRetry?<T>(
    protocol: PollProtocol<T>,
    requestId: string,
    retry: { attempt: number; delayMs: number; error: unknown },
    budget: number,
  ): void;
}

/**
 * One future's poll loop: poll, read the answer, wait, poll again, holding its share of the in-flight
 * result byte budget until it settles. An object and `then` chains rather than an async function: a
 * pending future spends its whole life suspended in this loop, and a suspended async frame keeps its
 * generator, register file and promise for that long, in each of thousands of pending futures.
 */
export class PollLoop<T> {
  // Declared here and set in the constructor, not initialized here: initializers in the class body are a
  // function of their own that V8 may compile on its own in a burst (see APIFuture).
  declare private readonly steps: PollSteps;
  declare private readonly protocol: PollProtocol<T>;
  declare private readonly options: PollerOptions;
  declare private readonly counter: { polls: number } | undefined;
  declare private requestId: string;
  declare private iteration: number;
  declare private allowMetadataOnly: boolean;
  declare private readonly allowances: PollAllowances;
  declare private backoffExponent: number;
  declare private failures: number;
  declare private budget: number;
  declare private readonly pacer: RepollPacer;
  /** When the last poll was sent: the pacing floor counts from there (a held poll waits no more). */
  declare private sentAt: number;
  declare private heldBytes: Release | undefined;
  declare private resolve: (value: T) => void;
  declare private reject: (error: unknown) => void;

  constructor(
    steps: PollSteps,
    protocol: PollProtocol<T>,
    firstRequestId: string,
    options: PollerOptions,
    counter: { polls: number } | undefined,
  ) {
    this.steps = steps;
    this.protocol = protocol;
    this.options = options;
    this.counter = counter;
    this.requestId = firstRequestId;
    this.iteration = 0;
    this.allowMetadataOnly = false;
    this.allowances = { badRequests: 0, pausedSince: undefined };
    this.backoffExponent = 0;
    this.failures = 0;
    this.budget = DEFAULT_POLL_FAILURE_BUDGET;
    this.pacer = new RepollPacer(protocol.repollPacing);
    this.sentAt = 0;
    this.heldBytes = undefined;
    this.resolve = noop;
    this.reject = noop;
  }

  /** The loop's result. Call once. */
  run(): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      // Throws here reject the result, as they did from the async function this replaces.
      const { protocol, options } = this;
      this.allowMetadataOnly = options.maxResultBytes !== undefined || protocol.metadataFirst?.() === true;
      this.budget = options.maxConsecutiveFailures ?? DEFAULT_POLL_FAILURE_BUDGET;
      this.poll();
    });
  }

  /** One poll: the request's and the reading's failures go to `onPollError`, the answer's to the caller. */
  private poll(): void {
    const { protocol, options } = this;
    // A poll the caller already gave up on is not started: the pipeline would refuse it before the wire,
    // but only after its events, log line and credential lookup. It fails as an abort does elsewhere.
    const signal = options.signal;
    if (signal?.aborted) return this.fail(abortErrorFor(signal));
    const context: PollContext = {
      requestId: this.requestId,
      iteration: this.iteration,
      allowMetadataOnly: this.allowMetadataOnly,
      submitEndpoint: options.submitEndpoint ?? '',
      submitRoundtripMs: options.submitRoundtripMs ?? 0,
    };
    let sending: Promise<CallResult>;
    this.sentAt = this.steps.clock.monotonic();
    try {
      sending = this.steps.send(protocol, context, options);
    } catch (error) {
      return this.failedPoll(context, error);
    }
    sending.then(
      (result) => this.answered(context, result),
      (error: unknown) => this.failedPoll(context, error),
    );
  }

  private answered(context: PollContext, result: CallResult): void {
    let reading: PollReading<T>;
    try {
      reading = this.protocol.read(result.body);
    } catch (error) {
      return this.failedPoll(context, error);
    }
    let step: Step<T>;
    try {
      this.allowances.badRequests = 0;
      this.allowances.pausedSince = undefined;
      step = this.steps.interpret(this.protocol, reading, context, this.options);
    } catch (error) {
      return this.fail(error);
    }
    this.next(step);
  }

  private failedPoll(context: PollContext, error: unknown): void {
    let step: Step<T>;
    try {
      step = this.steps.onPollError(this.protocol, context, error, this.options, this.allowances);
    } catch (thrown) {
      return this.fail(thrown);
    }
    this.next(step);
  }

  /** What the loop does after each poll's step (the body of the loop this replaces). */
  private next(step: Step<T>): void {
    const { protocol, options } = this;
    this.iteration++;
    if (this.counter) this.counter.polls++;
    if (step.next === 'done') return this.finish(step.value);
    if (step.next === 'wait') return this.pollAfterSleep(step.delayMs);
    if ((step.next === 'poll' || step.next === 'backoff') && step.failure !== undefined) {
      if (++this.failures > this.budget) return this.fail(step.failure);
    } else if (step.next !== 'expired') {
      this.failures = 0;
    }
    if (step.next === 'expired') {
      // Resubmitting is paced and counts against the budget: a server that expires every
      // result must not turn one future into a resubmit loop.
      const resubmit = options.resubmit;
      if (protocol.onExpired === 'resubmit' && resubmit && ++this.failures <= this.budget) {
        const resubmitted = this.sleep(this.pacer.next()).then(() => resubmit());
        return this.then(resubmitted, (requestId) => {
          this.requestId = requestId;
          this.iteration = 0;
          this.poll();
        });
      }
      return this.fail(new FutureExpiredError(this.requestId));
    }
    if (step.next === 'backoff') {
      const base = protocol.backoffBaseMs ?? 1_000;
      const delay = Math.min(base * 2 ** this.backoffExponent, protocol.backoffMaxMs ?? 30_000);
      this.backoffExponent++;
      if (step.failure !== undefined) this.announce(step.failure, delay);
      return this.pollAfterSleep(delay);
    }
    this.backoffExponent = 0;
    if (step.allowMetadataOnly !== undefined) this.allowMetadataOnly = step.allowMetadataOnly;
    if (step.resultBytes !== undefined && !this.heldBytes) {
      const reserving = this.steps.reserveResultBytes(protocol, options, step.resultBytes);
      return this.then(reserving, (held) => {
        this.heldBytes = held;
        this.pollAfterPacing(step);
      });
    }
    this.pollAfterPacing(step);
  }

  private pollAfterPacing(step: Extract<Step<T>, { next: 'poll' }>): void {
    const delay = step.notYet
      ? this.pacer.next(step.delayMs, this.steps.clock.monotonic() - this.sentAt)
      : step.delayMs;
    if (step.failure !== undefined) this.announce(step.failure, delay);
    if (delay > 0) this.pollAfterSleep(delay);
    else this.poll();
  }

  /** Tell the poller (which logs it) why this future polls again, so an outage is not silent. */
  private announce(error: unknown, delayMs: number): void {
    const retry = { attempt: this.failures, delayMs, error };
    this.steps.onRetry?.(this.protocol, this.requestId, retry, this.budget);
  }

  private pollAfterSleep(delayMs: number): void {
    this.then(this.sleep(delayMs), () => this.poll());
  }

  private sleep(delayMs: number): Promise<void> {
    try {
      return this.steps.clock.sleep(delayMs, this.options.signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** `onValue` once `promise` resolves; its rejection, or a throw of `onValue`, ends the loop. */
  private then<V>(promise: Promise<V>, onValue: (value: V) => void): void {
    promise.then(
      (value) => {
        try {
          onValue(value);
        } catch (error) {
          this.fail(error);
        }
      },
      (error: unknown) => this.fail(error),
    );
  }

  private finish(value: T): void {
    this.release();
    this.resolve(value);
  }

  private fail(error: unknown): void {
    this.release();
    this.reject(error);
  }

  private release(): void {
    const held = this.heldBytes;
    this.heldBytes = undefined;
    held?.();
  }
}

const noop = () => {};
