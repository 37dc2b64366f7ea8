import type { Telemetry, TelemetrySpan } from '../../ports/telemetry.js';

const NOOP_SPAN: TelemetrySpan = { setAttributes() {}, recordError() {}, end() {} };

/** The cheapest telemetry: no spans, no headers. */
export class NoopTelemetry implements Telemetry {
  startCall(): TelemetrySpan {
    return NOOP_SPAN;
  }
  startAttempt(): TelemetrySpan {
    return NOOP_SPAN;
  }
  inject(): void {}
}
