import type { PortToken } from './port-token.js';
export type AttributeValue = string | number | boolean;

/** The slice of a tracing span the kernel needs. */
export interface TelemetrySpan {
  setAttributes(attributes: Record<string, AttributeValue | undefined>): void;
  /**
   * The span's operation failed: the OTel conventions ask for an `exception` event, `error.type` (the HTTP
   * status as a string, else the error's class) and an ERROR status with the message. The kernel passes
   * the error the caller gets (a call stopped by a deadline on its signal, one aborted with an
   * `APITimeoutError`: that error, not the abort it caused inside), already scrubbed of its secrets; an
   * adapter scrubs what it copies again (shapes at least).
   */
  recordError(error: unknown): void;
  end(): void;
}

/**
 * Telemetry port: one span per call, one child span per attempt, W3C context injected into headers.
 * Adapters must swallow exporter/tracer failures: telemetry never fails a request.
 */
export interface Telemetry {
  /**
   * False when spans are discarded (the no-op adapter): the kernel then skips building span
   * attributes, which would otherwise cost a URL parse per attempt. Undefined counts as true.
   */
  readonly recording?: boolean;
  /**
   * `parent`: a span this adapter made to nest under (a stream's span, an operation's), `null` for a
   * trace of its own (background work: a heartbeat must not join whatever trace its timer was created
   * in), absent for the caller's active context.
   */
  startCall(
    name: string,
    attributes: Record<string, AttributeValue | undefined>,
    parent?: TelemetrySpan | null,
  ): TelemetrySpan;
  startAttempt(
    parent: TelemetrySpan,
    name: string,
    attributes: Record<string, AttributeValue | undefined>,
  ): TelemetrySpan;
  /** Write `traceparent` (and `tracestate`) for `span` into the outgoing headers. */
  inject(span: TelemetrySpan, headers: Record<string, string>): void;
}

export const TelemetryToken = Symbol.for('pristine.port.Telemetry') as PortToken<Telemetry>;
