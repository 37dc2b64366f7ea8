import { randomUUID } from 'node:crypto';
import type { Severity } from '../types/telemetry.js';

/**
 * An event as it waits in the telemetry queue, and the wire event it becomes when its batch is sent.
 * The id and the ISO timestamp are made then, not per event; `at` is `clock.now()` when it happened.
 * A sampling burst queues four events a sample, thousands at once, each held long enough to be
 * promoted to the old generation: what one event holds is paid for thousands of times.
 */
export interface QueuedEvent {
  wire(): Record<string, unknown>;
}

/** Any event: its type-specific fields are spread after the common ones. */
export class QueuedFields implements QueuedEvent {
  constructor(
    private readonly event: string,
    private readonly severity: Severity,
    private readonly index: number,
    private readonly at: number,
    private readonly fields: Record<string, unknown>,
  ) {}

  wire(): Record<string, unknown> {
    return {
      event: this.event,
      event_id: randomUUID(),
      event_session_index: this.index,
      severity: this.severity,
      timestamp: new Date(this.at).toISOString(),
      ...this.fields,
    };
  }
}

/**
 * A forwarded `tinkex.http.request.start` (Elixir tinkex's shape): one object of five slots, where the
 * general form held five nested objects. `url` is one string per endpoint (scrubbed once).
 */
export class QueuedHttpStart implements QueuedEvent {
  constructor(
    private readonly index: number,
    private readonly at: number,
    private readonly endpoint: string,
    private readonly method: string,
    private readonly url: string,
  ) {}

  wire(): Record<string, unknown> {
    return {
      event: 'GENERIC_EVENT',
      event_id: randomUUID(),
      event_session_index: this.index,
      severity: 'INFO',
      timestamp: new Date(this.at).toISOString(),
      event_name: 'tinkex.http.request.start',
      event_data: {
        measurements: {},
        metadata: { endpoint: this.endpoint, method: this.method, url: this.url },
      },
    };
  }
}

/** A forwarded `tinkex.http.request.stop` of an answered call (`result` ok), as compact. */
export class QueuedHttpStop implements QueuedEvent {
  constructor(
    private readonly index: number,
    private readonly at: number,
    private readonly endpoint: string,
    private readonly status: number,
    private readonly durationMs: number,
    private readonly retryCount: number,
  ) {}

  wire(): Record<string, unknown> {
    return {
      event: 'GENERIC_EVENT',
      event_id: randomUUID(),
      event_session_index: this.index,
      severity: 'INFO',
      timestamp: new Date(this.at).toISOString(),
      event_name: 'tinkex.http.request.stop',
      event_data: {
        measurements: { duration_ms: this.durationMs },
        metadata: {
          endpoint: this.endpoint,
          status: this.status,
          result: 'ok',
          retry_count: this.retryCount,
        },
      },
    };
  }
}
