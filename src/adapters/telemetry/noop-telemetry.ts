import type { Telemetry, TelemetrySpan } from '../../ports/telemetry.js';

// One shared, frozen span: no allocation per call, and nobody can hang state on it.
const NOOP_SPAN: TelemetrySpan = Object.freeze({ setAttributes() {}, recordError() {}, end() {} });

/** The cheapest telemetry: no spans, no headers. The kernel's default. */
export class NoopTelemetry implements Telemetry {
  readonly recording = false;
  startCall(): TelemetrySpan {
    return NOOP_SPAN;
  }
  startAttempt(): TelemetrySpan {
    return NOOP_SPAN;
  }
  inject(): void {}
}
