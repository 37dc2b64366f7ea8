import { randomUUID } from 'node:crypto';
import {
  atExitWhileReachable,
  everyWhileReachable,
  redactValue,
  type Clock,
  type Logger,
} from 'pristine-kernel';
import type { TinkerKernel } from '../client/tinker-kernel.js';
import type { Severity } from '../types/telemetry.js';
import { describeException } from './exception-event.js';
import { QueuedFields, QueuedHttpStart, QueuedHttpStop, type QueuedEvent } from './queued-event.js';

export const MAX_BATCH_SIZE = 100;
export const FLUSH_INTERVAL_MS = 10_000;
/** A fatal exception waits this long for its events to be sent before it is rethrown. */
export const FLUSH_TIMEOUT_MS = 30_000;
/**
 * A queue this long is flushed at once (Elixir's `flush_threshold`), unless it filled faster than
 * BURST_EVENTS_PER_S since the last flush began: then it waits for the timer, an exception, close, or
 * BURST_FLUSH_AT waiting.
 */
export const FLUSH_THRESHOLD = 100;
/**
 * Faster than this (events a second since the last flush began) the queue is in a burst: a sampling
 * fan-out queues four events a sample, and a batch sent per 100 of them meant building, checking and
 * sending batches while the samples ran (docs/performance-notes.md, round 34), as Python never does.
 */
export const BURST_EVENTS_PER_S = 100;
/** Half the cap: a burst flushes here, with half the queue left as room, so the wait drops nothing. */
export const BURST_FLUSH_AT = 5_000;
/** Events beyond this many waiting are dropped (with a warning at most once a minute). */
export const MAX_QUEUE_SIZE = 10_000;
const DROP_WARNING_INTERVAL_MS = 60_000;
const PROCESS_UUID = randomUUID();

const PLATFORMS: Record<string, string> = { linux: 'Linux', darwin: 'Darwin', win32: 'Windows' };
/** A telemetry POST's call options: its span starts a trace of its own, whatever context flushed it. */
const SESSION_POST = { parentSpan: null };
const SESSIONLESS_POST = { auth: 'rest', parentSpan: null };

export interface TelemetryReporterOptions {
  /**
   * False while nothing could be sent (the server never answered the protocol handshake): events wait
   * in the queue, and neither a fatal exception nor `close()` waits for a send that would only repeat
   * the handshake's retries. Default: always true.
   */
  canSend?: () => boolean;
}

/**
 * Backend telemetry (POST /api/v1/telemetry), as the Python SDK sends it: SESSION_START, SESSION_END,
 * GENERIC_EVENT and UNHANDLED_EXCEPTION, in batches of at most 100, flushed every 10 s, as soon as 100
 * are waiting (in a burst, faster than 100 a second, after the first batch: 5,000), after an exception,
 * and on close. A failed send never breaks the SDK: the batch is dropped after the endpoint's retries
 * (Python retries it forever), later batches wait for the next flush. Without a session id the reporter
 * is session-less (0.23.2, REST-only use): batches carry `sessionless-<uuid>` and there is no
 * SESSION_START or SESSION_END. Everything sent is scrubbed of the kernel's secrets.
 */
export class TelemetryReporter {
  readonly sessionId: string;
  readonly sessionless: boolean;
  private queue: QueuedEvent[] = [];
  private index = 0;
  private pushed = 0;
  private flushed = 0;
  private ended = false;
  /**
   * Events dropped since the last warning, and when that warning was given. Durations (these, the
   * session's length) are on `clock.monotonic()`; events carry `clock.now()`, the wall time they happened.
   */
  private dropped = 0;
  private warnedDropAt: number | undefined;
  private noticedRoutineDropAt: number | undefined;
  private stopTimer?: () => void;
  private readonly startedAt: number;
  private flushing?: Promise<void>;
  private flushAgain?: Promise<void>;
  /** When the last flush began (`clock.monotonic()`): the queue's rate since then tells a burst. */
  private flushedAt: number;
  /**
   * How many events had been queued when a batch last failed after the endpoint's retries: a dead or
   * refusing endpoint, so nobody waits for those (they go with a later flush, if one can send them).
   */
  private unreachableUpTo = 0;
  /** The flush that ran last failed: the one asked for meanwhile is not run at once against it. */
  private lastFlushFailed = false;
  /** close() ran: its flush was the last (the kernel is closed with the client). */
  private closed = false;

  constructor(
    private readonly kernel: TinkerKernel,
    sessionId: string | undefined,
    private readonly sdkVersion: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: TelemetryReporterOptions = {},
  ) {
    this.sessionless = sessionId === undefined;
    this.sessionId = sessionId ?? `sessionless-${randomUUID()}`;
    this.startedAt = clock.monotonic();
    this.flushedAt = this.startedAt;
    // Held weakly: a client never closed is collected (its reporter with it) rather than flushed for ever.
    this.stopTimer = everyWhileReachable(clock, FLUSH_INTERVAL_MS, this, (reporter) => void reporter.flush());
    if (!this.sessionless) this.record('SESSION_START', 'INFO', {});
  }

  /** Queue a GENERIC_EVENT; false when the queue is full. `event_data` is redacted. */
  generic(
    event_name: string,
    event_data: Record<string, unknown> = {},
    severity: Severity = 'INFO',
  ): boolean {
    const data = redactValue(event_data, { secrets: this.kernel.secrets }) as Record<string, unknown>;
    return this.record('GENERIC_EVENT', severity, { event_name, event_data: data });
  }

  /**
   * Queue a call's `tinkex.http.request.start`, forwarded from the kernel's event (four such events a
   * sample, with the stops): an endpoint id, a method and the URL, which the kernel's event masked
   * already (userinfo, secret parameters) and which is scrubbed here of the kernel's known secrets,
   * once per endpoint. It skips `generic`'s deep redaction (a tenth of a sampling burst's client CPU)
   * and is queued in a compact form (queued-event.ts) that becomes the same wire event.
   * @internal
   */
  httpStart(endpoint: string, method: string, url: string): boolean {
    if (!this.admit(ROUTINE)) return false;
    const scrubbed = this.kernel.secrets.scrubRecurring(url);
    return this.push(new QueuedHttpStart(this.index++, this.clock.now(), endpoint, method, scrubbed));
  }

  /**
   * Queue an answered call's `tinkex.http.request.stop` (`result` ok): ids and numbers only, so the
   * compact form too. Error answers go through `generic`.
   * @internal
   */
  httpStop(endpoint: string, status: number, durationMs: number, retryCount: number): boolean {
    if (!this.admit(ROUTINE)) return false;
    const at = this.clock.now();
    return this.push(new QueuedHttpStop(this.index++, at, endpoint, status, durationMs, retryCount));
  }

  /**
   * Report an exception and start a flush (without waiting for it). A user error (category user, or a
   * 4xx other than 408 in its cause chain) goes out as the generic event `user_error` (WARNING);
   * anything else as UNHANDLED_EXCEPTION with its stack.
   */
  exception(error: unknown, severity: Severity = 'ERROR'): boolean {
    const accepted = this.recordException(error, severity);
    void this.flush();
    return accepted;
  }

  /**
   * An exception that ends the public call (Python's `capture_exceptions(fatal=True)`): the event, then
   * SESSION_END (once, for a session), then a flush; resolves once everything queued was sent or after
   * FLUSH_TIMEOUT_MS.
   */
  async fatalException(error: unknown, severity: Severity = 'ERROR'): Promise<boolean> {
    const accepted = this.recordException(error, severity);
    this.endSession();
    const drained = await this.waitUntilDrained(FLUSH_TIMEOUT_MS);
    // Only a report that went out is "logged" (a dead server's failure is not: it stays queued). At
    // debug, not the Python SDK's info: the CLI shows info lines to people, and this one is for support.
    if (accepted && drained) this.logger.debug(`Exception logged for session ID: ${this.sessionId}`);
    else if (accepted)
      this.logger.debug('the failure could not be reported to Tinker telemetry (not sent yet)');
    return accepted;
  }

  /**
   * Send every queued event, in batches. Asked while a flush runs (an exception, 100 more waiting,
   * close), one more flush follows it, so what was queued by then is sent too.
   */
  flush(): Promise<void> {
    if (this.options.canSend?.() === false) return Promise.resolve();
    if (this.flushing) {
      this.flushAgain ??= this.flushing.then(() => {
        this.flushAgain = undefined;
        return this.lastFlushFailed ? undefined : this.flush();
      });
      return this.flushAgain;
    }
    this.flushedAt = this.clock.monotonic();
    this.flushing = this.sendAll().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /**
   * Flush until every event queued so far was sent (or dropped); false if `timeoutMs` passed first, or
   * once a batch failed after they were queued: the endpoint cannot take them now, and trying the rest
   * batch by batch (one batch's retries each) kept a thousand failing samples from their errors for 30 s.
   */
  async waitUntilDrained(timeoutMs: number): Promise<boolean> {
    const target = this.pushed;
    if (this.options.canSend?.() === false) return this.flushed >= target;
    const drain = (async () => {
      while (this.flushed < target && this.unreachableUpTo < target && this.options.canSend?.() !== false)
        await this.flush();
      return this.flushed >= target;
    })();
    return this.within(timeoutMs, drain);
  }

  /** `work`'s outcome, or false once `timeoutMs` passed first (the work goes on, unawaited). */
  private async within<T>(timeoutMs: number, work: Promise<T>): Promise<T | false> {
    let cancel: (() => void) | undefined;
    const deadline = new Promise<false>(
      (resolve) => (cancel = this.clock.after(timeoutMs, () => resolve(false))),
    );
    try {
      return await Promise.race([work, deadline]);
    } finally {
      cancel?.();
    }
  }

  /**
   * SESSION_END (for a session, if not sent yet), a final flush, and no more timers. One flush (a dead
   * endpoint costs one batch's retries, as in any flush), for at most FLUSH_TIMEOUT_MS, as a fatal
   * exception waits: a server that holds requests cannot hold close().
   */
  async close(): Promise<void> {
    this.stopTimer?.();
    this.stopTimer = undefined;
    this.closed = true;
    this.endSession();
    await this.within(FLUSH_TIMEOUT_MS, this.flush());
  }

  private recordException(error: unknown, severity: Severity): boolean {
    const described = describeException(error, this.kernel.secrets);
    return described.user
      ? this.generic('user_error', described.data, 'WARNING')
      : this.record('UNHANDLED_EXCEPTION', severity, described.fields);
  }

  private endSession(): void {
    if (this.sessionless || this.ended) return;
    this.ended = true;
    const seconds = (this.clock.monotonic() - this.startedAt) / 1000;
    this.record('SESSION_END', 'INFO', { duration: formatDuration(seconds) });
  }

  private record(event: string, severity: Severity, fields: Record<string, unknown>): boolean {
    if (!this.admit(SIGNIFICANT)) return false;
    return this.push(new QueuedFields(event, severity, this.index++, this.clock.now(), fields));
  }

  /**
   * False (and the event dropped) when the queue is full. A significant event (an exception, a retry, a
   * session's start or end) takes the place of the oldest routine one (a call's start or stop, four a
   * sample) rather than being lost to them.
   */
  private admit(routine: boolean): boolean {
    if (this.queue.length < MAX_QUEUE_SIZE) return true;
    if (!routine && this.evictRoutine()) return true;
    this.drop(routine);
    return false;
  }

  /** Drop the oldest routine event queued, counted as sent (so a drain does not wait for it). */
  private evictRoutine(): boolean {
    const at = this.queue.findIndex(isRoutine);
    if (at < 0) return false;
    this.queue.splice(at, 1);
    this.flushed++;
    this.drop(ROUTINE);
    return true;
  }

  private push(queued: QueuedEvent): true {
    this.queue.push(queued);
    this.pushed++;
    if (this.queue.length < FLUSH_THRESHOLD) return true;
    if (!this.deferred()) void this.flush();
    // Held weakly, once per reporter until it fires: a forgotten client is still collected.
    else atExitWhileReachable(this, (reporter) => reporter.flushDeferred());
    return true;
  }

  /**
   * The process ran out of work with a burst's flush deferred (no `close()`): send it now, as the flush
   * at 100 would have been, rather than lose it at exit.
   * @internal
   */
  flushDeferred(): void {
    if (!this.closed && this.queue.length >= FLUSH_THRESHOLD) void this.flush();
  }

  /**
   * True while the queue fills faster than BURST_EVENTS_PER_S and is shorter than BURST_FLUSH_AT: its
   * batches wait for the timer (or an exception, close, or BURST_FLUSH_AT) instead of going out one per
   * 100 events while the burst runs. A steady run below that rate flushes at 100 as before, and so do
   * the first 100 events of any run.
   */
  private deferred(): boolean {
    if (this.queue.length >= BURST_FLUSH_AT) return false;
    // Not before the first batch went: the first POST compiles the telemetry call's validators, opens
    // its connection and adds its call shape to the kernel's hot paths, which in the middle of a burst
    // cost more CPU than the batches it saved (docs/performance-notes.md, round 34, second pass).
    if (this.flushed === 0 && this.flushing === undefined) return false;
    const elapsedMs = this.clock.monotonic() - this.flushedAt;
    return this.queue.length * 1000 > BURST_EVENTS_PER_S * elapsedMs;
  }

  /**
   * A client that samples faster than its telemetry drains keeps the queue full for as long as it
   * runs, and each batch sent frees room for 100 more: a warning per refill flooded stderr. One a minute
   * at most, with the count. Only routine events lost is the normal state of a long sampling run, with
   * nothing for the user to do: that goes to debug; a significant event lost is a warning.
   */
  private drop(routine: boolean): void {
    this.dropped++;
    const now = this.clock.monotonic();
    const last = routine ? this.noticedRoutineDropAt : this.warnedDropAt;
    if (last !== undefined && now - last < DROP_WARNING_INTERVAL_MS) return;
    if (routine) {
      this.logger.debug('Telemetry queue full: dropping per-request events', { dropped: this.dropped });
      this.noticedRoutineDropAt = now;
      return;
    }
    const since = last === undefined ? 'so far' : `in the last ${Math.round((now - last) / 1000)} s`;
    this.logger.warn(
      `Telemetry queue full (${MAX_QUEUE_SIZE} events waiting to be sent): dropping new events; ` +
        `${this.dropped} dropped ${since}`,
    );
    this.warnedDropAt = now;
    this.dropped = 0;
  }

  /**
   * Send what was queued when the flush began, in batches. Events queued meanwhile wait for the next
   * trigger (100 waiting, or 5,000 in a burst; the timer, an exception, close): chasing them made a
   * busy training loop, which queues several events per step, send one POST per handful of events for
   * as long as it ran.
   */
  private async sendAll(): Promise<void> {
    this.lastFlushFailed = false;
    for (let left = this.queue.length; left > 0 && this.queue.length > 0;) {
      const batch = this.queue.splice(0, Math.min(MAX_BATCH_SIZE, left));
      left -= batch.length;
      try {
        await this.kernel.call(
          'telemetry',
          {
            events: batch.map(toWire),
            platform: PLATFORMS[process.platform] ?? process.platform,
            sdk_version: this.sdkVersion,
            session_id: this.sessionId,
            process_uuid: PROCESS_UUID,
            // Session-less telemetry goes through the session-less holder (the one REST calls
            // negotiated), so REST-only use never starts the sessionful holder's handshake.
          },
          // A trace of its own (parentSpan: null): a flush is background work, not part of the
          // user's call whose event or exception happened to trigger it.
          this.sessionless ? SESSIONLESS_POST : SESSION_POST,
        );
      } catch (error) {
        // Counted as flushed, so a fatal exception never waits on a dead endpoint; the rest waits for
        // the next flush, so a dead endpoint costs one batch's retries per flush, not one per batch.
        this.flushed += batch.length;
        this.unreachableUpTo = this.pushed;
        this.lastFlushFailed = true;
        this.logger.debug('telemetry batch dropped', { error: (error as Error).message });
        return;
      }
      this.flushed += batch.length;
    }
  }
}

const toWire = (queued: QueuedEvent) => queued.wire();
const ROUTINE = true;
const SIGNIFICANT = false;
/** A call's start or stop: the per-request events that make up the volume of a sampling run. */
const isRoutine = (queued: QueuedEvent) =>
  queued instanceof QueuedHttpStart || queued instanceof QueuedHttpStop;

/** Python's `str(timedelta)`: H:MM:SS.ffffff. */
function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h}:${String(m).padStart(2, '0')}:${s.toFixed(6).padStart(9, '0')}`;
}
