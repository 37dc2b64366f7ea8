import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { Streaming } from '../../ports/streaming.js';
import type { Telemetry } from '../../ports/telemetry.js';
import type { TransportResponse } from '../../ports/transport.js';
import { APIConnectionError, ClientClosedError } from '../errors/api-errors.js';
import { scrubError, type Scrubber } from '../errors/error-secrets.js';
import { PluginError } from '../errors/plugin-errors.js';
import type { CompiledEndpoint } from '../manifest/compile.js';
import type { CallOptions, CallResult } from '../pipeline/context.js';
import { ResponseValidationError } from '../pipeline/stages/validate-response.js';
import { StreamEventError, StreamIdleTimeoutError, StreamTruncatedError } from './stream-errors.js';
import { linkedSignal } from '../signals/linked-signal.js';
import { abortErrorFor } from '../signals/abort-error-for.js';

export interface StreamHost {
  execute(endpointId: string, input: unknown, options?: CallOptions): Promise<CallResult>;
  endpoint(endpointId: string): CompiledEndpoint;
  readonly clock: Clock;
  readonly streaming: Streaming;
  readonly telemetry: Telemetry;
  /** Where a reconnect is told (at info, as a call's retries are); the kernel's logger. */
  readonly logger?: Logger;
  /** The kernel's secrets: stream errors carry server data (an error event), scrubbed like call errors. */
  readonly secrets?: Scrubber;
  /** Aborted when the kernel closes (`KernelServices.stopping`). */
  stopping?(endpointId: string): AbortSignal;
  /** Counts the stream, from its first read to its end, for `kernel.idle()`. */
  readonly inFlight?: { begin(): void; end(): void };
}

export interface StreamOptions extends CallOptions {
  /** Override the endpoint's idle timeout. */
  idleTimeoutMs?: number | undefined;
  /** Reconnects allowed after the first event when the endpoint supports resume. Default 3. */
  maxReconnects?: number | undefined;
}

/**
 * Server-sent events from one endpoint as an async iterable of typed values. The connection goes through
 * the pipeline: retries happen only before the first event; afterwards a dropped connection resumes with
 * `Last-Event-ID` when the endpoint allows it. Breaking out of the loop or aborting closes the socket.
 */
export class EventStream<T> implements AsyncIterable<T> {
  readonly controller = new AbortController();

  constructor(
    private readonly host: StreamHost,
    private readonly endpointId: string,
    private readonly input: unknown,
    private readonly options: StreamOptions = {},
  ) {}

  abort(): void {
    this.controller.abort();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    const endpoint = this.host.endpoint(this.endpointId);
    const spec = endpoint.stream ?? {};
    // Not AbortSignal.any: a caller may pass one signal to every stream for hours, and Node 20 keeps one
    // entry per stream in it until it aborts. The link is let go when the stream ends.
    const link = this.options.signal ? linkedSignal(this.options.signal, this.controller.signal) : undefined;
    const signal = link?.signal ?? this.controller.signal;
    const ownIdleMs = this.options.idleTimeoutMs ?? spec.idleTimeoutMs;
    const span = this.host.telemetry.startCall(
      `${this.endpointId} stream`,
      { 'pristine.endpoint': this.endpointId },
      this.options.parentSpan,
    );
    let lastEventId: string | undefined;
    /** The server's `retry:` field, the wait it asks for before a reconnect. */
    let serverRetryMs: number | undefined;
    let yielded = 0;
    let reconnects = 0;
    const counts = () => ({ 'pristine.stream.events': yielded, 'pristine.stream.reconnects': reconnects });
    // A stream left suspended at a `yield` never runs its `finally` once the kernel closes: its span
    // ends here then, as closed (a span nobody ends is never exported and stays in memory).
    const stopping = this.host.stopping?.(this.endpointId);
    const closed = () => ClientClosedError.forCall(endpoint);
    // In flight for `kernel.idle()` until it ends (a background stream, `parentSpan: null`, is not).
    let counting = this.options.parentSpan !== null && this.host.inFlight !== undefined;
    if (counting) this.host.inFlight?.begin();
    const uncount = () => {
      if (counting) this.host.inFlight?.end();
      counting = false;
    };
    const endAtClose = () => {
      uncount();
      span.setAttributes(counts());
      span.recordError(closed());
      span.end();
    };
    stopping?.addEventListener('abort', endAtClose, { once: true });
    try {
      for (;;) {
        const headers = { ...this.options.headers, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) };
        // A reconnect that cannot connect (the server restarting) is a drop like any other: caught below.
        let response: TransportResponse | undefined;
        try {
          const result = await this.host.execute(this.endpointId, this.input, {
            ...this.options,
            headers,
            signal,
            // Each connection (a resume is another) nests under the stream's span.
            parentSpan: span,
            maxRetries: yielded > 0 ? 0 : this.options.maxRetries,
          });
          response = result.response;
          if (!response) throw noLiveResponse(this.endpointId);
          const decoder = this.host.streaming.createDecoder();
          // Between two chunks, nothing hangs for ever: without an idle timeout of its own, a stream is
          // bounded by the call's timeout (which otherwise covers only the wait for the headers), as
          // undici's bodyTimeout bounds a body. Not a total: a long stream that keeps talking runs on.
          const idle = idleBound(ownIdleMs, result.timeoutMs);
          for await (const chunk of this.idleGuard(response, idle, signal)) {
            for (const event of decoder.feed(chunk)) {
              if (event.id !== undefined) lastEventId = event.id;
              if (event.retry !== undefined) serverRetryMs = event.retry;
              if (spec.terminator !== undefined && event.data === spec.terminator) return;
              if (spec.doneEvent && event.event === spec.doneEvent) return;
              const value = parseData(event.data);
              if (spec.errorEvent && event.event === spec.errorEvent)
                throw new StreamEventError(this.endpointId, value);
              const issues = endpoint.validateEvent?.(value) ?? [];
              if (issues.length > 0) throw new ResponseValidationError(this.endpointId, issues, value);
              // Events decoded from one chunk wait in a batch: none may reach a consumer that aborted, nor
              // one whose client closed (every other call rejects then; those handed out stay theirs).
              throwIfStopped(signal, stopping, closed);
              yielded++;
              yield value as T;
              throwIfStopped(signal, stopping, closed);
            }
          }
          const marker = endMarker(spec);
          if (marker) throw new StreamTruncatedError(this.endpointId, marker);
          return;
        } catch (error) {
          // Only a drop another connection could fix: a connection error its thrower marked
          // `retryable: false` (a request Node refused to build, an adapter's refusal) would fail the same way.
          const resumable =
            spec.resume &&
            lastEventId !== undefined &&
            error instanceof APIConnectionError &&
            error.retryable;
          const maxReconnects = this.options.maxReconnects ?? 3;
          if (!signal.aborted && resumable && reconnects < maxReconnects) {
            reconnects++;
            response?.cancel();
            response = undefined;
            const delayMs = reconnectDelayMs(serverRetryMs, reconnects);
            this.logReconnect(error, delayMs, reconnects, maxReconnects, lastEventId, yielded);
            await this.beforeReconnect(delayMs, signal, stopping);
            continue;
          }
          throw error;
        } finally {
          response?.cancel();
        }
      }
    } catch (thrown) {
      // After close, whatever ended the read (the transport's destroyed socket, most often) is the close.
      const stopped = stoppedError(thrown, signal, stopping, closed);
      // Scrubbed before the span records it: an error event carries the server's words.
      const error =
        this.host.secrets && stopped instanceof Error ? scrubError(stopped, this.host.secrets) : stopped;
      span.recordError(error);
      throw error;
    } finally {
      uncount();
      link?.unlink();
      stopping?.removeEventListener('abort', endAtClose);
      span.setAttributes(counts());
      span.end();
    }
  }

  /**
   * A reconnect said as a call's retry is (`retrying X in 0.4 s after … (retry 1 of 4)`): without it a
   * dropped stream showed only as a second request line with a `last-event-id` header.
   */
  private logReconnect(
    error: APIConnectionError,
    delayMs: number,
    reconnect: number,
    maxReconnects: number,
    lastEventId: string | undefined,
    events: number,
  ): void {
    const when = delayMs === 0 ? 'at once' : `in ${(delayMs / 1000).toFixed(1)} s`;
    this.host.logger?.info(
      `resuming the ${this.endpointId} stream ${when} after ${error.message} ` +
        `(reconnect ${reconnect} of ${maxReconnects}, Last-Event-ID ${lastEventId})`,
      { endpoint: this.endpointId, reconnect, delay_ms: delayMs, events },
    );
  }

  /**
   * The wait before a reconnect, on the Clock port: cut short by the caller's abort (APIUserAbortError)
   * and by `close()` (which the stream then reports as ClientClosedError), so no reconnect is sent after.
   */
  private async beforeReconnect(ms: number, signal: AbortSignal, stopping: AbortSignal | undefined) {
    if (ms <= 0) return;
    const link = stopping ? linkedSignal(signal, stopping) : undefined;
    try {
      await this.host.clock.sleep(ms, link?.signal ?? signal);
    } finally {
      link?.unlink();
    }
  }

  /**
   * Yield body chunks, failing if none arrives within the idle bound. The bound is a deadline
   * (`clock.after`), not a sleep: a test's instant clock, whose sleeps end at once, must not make every
   * stream idle, and cancelling a deadline per chunk costs no error.
   */
  private async *idleGuard(response: TransportResponse, bound: IdleBound | undefined, signal: AbortSignal) {
    const iterator = response.body[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      if (bound === undefined) {
        next = await iterator.next();
      } else {
        throwIfAborted(signal);
        let cancel = NOTHING;
        let onAbort = NOTHING;
        const idle = new Promise<'idle' | 'stopped'>((resolve) => {
          cancel = this.host.clock.after(bound.ms, () => resolve('idle'));
          onAbort = () => resolve('stopped');
          signal.addEventListener('abort', onAbort, { once: true });
        });
        let raced: IteratorResult<Uint8Array> | 'idle' | 'stopped';
        try {
          raced = await Promise.race([iterator.next(), idle]);
        } finally {
          cancel();
          signal.removeEventListener('abort', onAbort);
        }
        if (raced === 'idle') throw new StreamIdleTimeoutError(this.endpointId, bound.ms, bound.named);
        if (raced === 'stopped') throw abortErrorFor(signal);
        next = raced;
      }
      if (next.done) return;
      yield next.value;
    }
  }
}

const NOTHING = (): void => {};

interface IdleBound {
  ms: number;
  named: 'idleTimeoutMs' | 'timeoutMs';
}

/** The most a server's `retry:` field makes a stream wait before reconnecting. */
const MAX_SERVER_RETRY_MS = 60_000;

/**
 * The wait before reconnect `n` (1-based): the server's `retry:` field when it sent one (capped), else
 * none for the first (a drop of a live server is mended at once) and 250 ms doubling for the next ones,
 * so a server that is restarting gets a moment rather than three refused connections in a millisecond.
 */
function reconnectDelayMs(serverRetryMs: number | undefined, n: number): number {
  if (serverRetryMs !== undefined) return Math.min(serverRetryMs, MAX_SERVER_RETRY_MS);
  return n === 1 ? 0 : 250 * 2 ** (n - 2);
}

/** The stream's own idle timeout, else the call's timeout; none when neither is a finite wait. */
function idleBound(own: number | undefined, callTimeoutMs: number | undefined): IdleBound | undefined {
  if (own !== undefined) return { ms: own, named: 'idleTimeoutMs' };
  if (callTimeoutMs === undefined || !Number.isFinite(callTimeoutMs) || callTimeoutMs <= 0) return undefined;
  return { ms: callTimeoutMs, named: 'timeoutMs' };
}

/** The caller aborted: stop at once with the typed abort error, whatever is still buffered. */
function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortErrorFor(signal);
}

/** As `throwIfAborted`, and the kernel closed: the typed error every call after `close()` gets. */
function throwIfStopped(
  signal: AbortSignal,
  stopping: AbortSignal | undefined,
  closed: () => ClientClosedError,
): void {
  throwIfAborted(signal);
  if (stopping?.aborted) throw closed();
}

/** The error a stream ends with: the caller's abort first, then the close, then what was thrown. */
function stoppedError(
  thrown: unknown,
  signal: AbortSignal,
  stopping: AbortSignal | undefined,
  closed: () => ClientClosedError,
): unknown {
  if (!stopping?.aborted || signal.aborted || thrown instanceof ClientClosedError) return thrown;
  return closed();
}

/** What ends the stream normally, if the endpoint declares anything: without it, the body was cut. */
function endMarker(spec: { terminator?: string; doneEvent?: string }): string | undefined {
  if (spec.terminator !== undefined) return `terminator ${JSON.stringify(spec.terminator)}`;
  if (spec.doneEvent) return `"${spec.doneEvent}" event`;
  return undefined;
}

/**
 * The host's `execute` gave a result without the live response a stream reads: a custom `StreamHost` (or a
 * plugin stage answering for the transport) got the contract wrong; nothing to read, nor to retry.
 */
function noLiveResponse(endpointId: string): PluginError {
  return new PluginError(`"${endpointId}" answered without a live response to read the stream from`, {
    endpointId,
  });
}

function parseData(data: string): unknown {
  const first = data.charCodeAt(0);
  // Only JSON-looking payloads are parsed; plain text passes through.
  if (
    first === 123 ||
    first === 91 ||
    first === 34 ||
    (first >= 48 && first <= 57) ||
    data === 'true' ||
    data === 'false' ||
    data === 'null'
  ) {
    try {
      return JSON.parse(data);
    } catch {
      return data;
    }
  }
  return data;
}
