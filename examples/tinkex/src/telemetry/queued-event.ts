import { randomUUID } from 'node:crypto';
import type { Severity, TelemetryEvent } from '../types/telemetry.js';

/**
 * An event as it waits in the telemetry queue, and the wire event it becomes when its batch is sent.
 * The id and the ISO timestamp are made then, not per event; `at` is `clock.now()` when it happened.
 * A sampling burst queues four events a sample, thousands at once, each held long enough to be
 * promoted to the old generation: what one event holds is paid for thousands of times.
 */
export interface QueuedEvent {
  /**
   * Built field by field (one object per event, no spreads), so typed by assertion: the kernel checks
   * each batch against `TelemetryEventSchema` before it is sent.
   */
  wire(): TelemetryEvent;
}

/** The fields every wire event starts with; the id and the timestamp are made now, at send time. */
function wireHead(event: string, severity: Severity, index: number, at: number): Record<string, unknown> {
  return {
    event,
    event_id: randomUUID(),
    event_session_index: index,
    severity,
    timestamp: new Date(at).toISOString(),
  };
}

/** A forwarded GENERIC_EVENT (INFO): the common fields, then its name and data. */
function forwardedWire(
  index: number,
  at: number,
  event_name: string,
  event_data: Record<string, unknown>,
): TelemetryEvent {
  const wire = wireHead('GENERIC_EVENT', 'INFO', index, at);
  wire.event_name = event_name;
  wire.event_data = event_data;
  return wire as TelemetryEvent;
}

/** Any event: its type-specific fields follow the common ones. */
export class QueuedFields implements QueuedEvent {
  constructor(
    private readonly event: string,
    private readonly severity: Severity,
    private readonly index: number,
    private readonly at: number,
    private readonly fields: Record<string, unknown>,
  ) {}

  wire(): TelemetryEvent {
    return Object.assign(
      wireHead(this.event, this.severity, this.index, this.at),
      this.fields,
    ) as TelemetryEvent;
  }
}

/**
 * A forwarded `tinkex.http.request.start` (Elixir tinkex's shape): one object of five slots, where the
 * general form held five nested objects. `url` is one string per endpoint (the kernel's, masked once).
 */
export class QueuedHttpStart implements QueuedEvent {
  // Set in the constructor, not as parameter properties: those are class-body fields, whose initializer
  // is a function of its own that V8 may compile on its own in a burst (pristine-kernel's APIFuture).
  declare private readonly index: number;
  declare private readonly at: number;
  declare private readonly endpoint: string;
  declare private readonly method: string;
  declare private readonly url: string;

  constructor(index: number, at: number, endpoint: string, method: string, url: string) {
    this.index = index;
    this.at = at;
    this.endpoint = endpoint;
    this.method = method;
    this.url = url;
  }

  wire(): TelemetryEvent {
    return forwardedWire(this.index, this.at, 'tinkex.http.request.start', {
      measurements: {},
      metadata: { endpoint: this.endpoint, method: this.method, url: this.url },
    });
  }
}

/** A forwarded `tinkex.http.request.stop` of an answered call (`result` ok), as compact. */
export class QueuedHttpStop implements QueuedEvent {
  // Set in the constructor, not as parameter properties (see QueuedHttpStart).
  declare private readonly index: number;
  declare private readonly at: number;
  declare private readonly endpoint: string;
  declare private readonly status: number;
  declare private readonly durationMs: number;
  declare private readonly retryCount: number;

  constructor(
    index: number,
    at: number,
    endpoint: string,
    status: number,
    durationMs: number,
    retryCount: number,
  ) {
    this.index = index;
    this.at = at;
    this.endpoint = endpoint;
    this.status = status;
    this.durationMs = durationMs;
    this.retryCount = retryCount;
  }

  wire(): TelemetryEvent {
    return forwardedWire(this.index, this.at, 'tinkex.http.request.stop', {
      measurements: { duration_ms: this.durationMs },
      metadata: { endpoint: this.endpoint, status: this.status, result: 'ok', retry_count: this.retryCount },
    });
  }
}
