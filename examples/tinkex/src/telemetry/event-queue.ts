import { randomUUID } from 'node:crypto';
import type { Severity, TelemetryEvent } from '../types/telemetry.js';

/** Any event other than a call's answered start or stop: its type-specific fields follow the common ones. */
export interface QueuedRecord {
  readonly event: string;
  readonly severity: Severity;
  readonly fields: Record<string, unknown>;
}

const RECORD = 0;
/** A forwarded `tinkex.http.request.start`: endpoint, method, URL. */
const START = 1;
/** A forwarded `tinkex.http.request.stop` of an answered call (`result` ok): endpoint, status, duration, retries. */
const STOP = 2;
const FIRST_CAPACITY = 128;

/**
 * The telemetry queue, as columns: one slot per event in each of a few typed arrays (kind, index, time,
 * status, duration, retry count) and three arrays of references (endpoint, method, URL or record). A
 * sampling burst queues four events a sample, thousands at once, held until their batch is sent: one
 * object per event (round 16's compact events) was thousands of objects promoted in every burst, and a
 * class and a `wire` method per kind, each compiled in every fresh process. The routine starts and stops
 * are numbers and shared strings here, and become wire events in one function when their batch is sent
 * (the id and the ISO timestamp made then; `at` is `clock.now()` when the event happened).
 *
 * Slots [head, tail) are queued, in order. Room is made at the end by moving them to the front, or by
 * doubling; an emptied queue starts again at slot 0.
 */
export class EventQueue {
  private head = 0;
  private tail = 0;
  private kinds = new Uint8Array(FIRST_CAPACITY);
  private indices = new Float64Array(FIRST_CAPACITY);
  private ats = new Float64Array(FIRST_CAPACITY);
  private durations = new Float64Array(FIRST_CAPACITY);
  private statuses = new Int32Array(FIRST_CAPACITY);
  private retries = new Int32Array(FIRST_CAPACITY);
  private endpoints: (string | undefined)[] = new Array<string | undefined>(FIRST_CAPACITY);
  private methods: (string | undefined)[] = new Array<string | undefined>(FIRST_CAPACITY);
  /** A start's URL, or a record. */
  private refs: (string | QueuedRecord | undefined)[] = new Array<string | QueuedRecord | undefined>(
    FIRST_CAPACITY,
  );

  get length(): number {
    return this.tail - this.head;
  }

  pushStart(index: number, at: number, endpoint: string, method: string, url: string): void {
    const slot = this.slot(START, index, at);
    this.endpoints[slot] = endpoint;
    this.methods[slot] = method;
    this.refs[slot] = url;
  }

  pushStop(
    index: number,
    at: number,
    endpoint: string,
    status: number,
    durationMs: number,
    retryCount: number,
  ): void {
    const slot = this.slot(STOP, index, at);
    this.endpoints[slot] = endpoint;
    this.statuses[slot] = status;
    this.durations[slot] = durationMs;
    this.retries[slot] = retryCount;
  }

  pushRecord(index: number, at: number, record: QueuedRecord): void {
    this.refs[this.slot(RECORD, index, at)] = record;
  }

  /** Remove the oldest routine event (a start or a stop); false when none is queued. */
  evictRoutine(): boolean {
    const kinds = this.kinds;
    let at = this.head;
    while (at < this.tail && kinds[at] === RECORD) at++;
    if (at === this.tail) return false;
    this.move(at + 1, this.tail, at);
    this.tail--;
    this.release(this.tail, this.tail + 1);
    return true;
  }

  /**
   * The oldest `count` events as wire events, taken out of the queue. Each is built in one object
   * literal, its keys in the wire's order; typed by assertion: the kernel checks each batch against
   * `TelemetryEventSchema` before it is sent.
   */
  take(count: number): TelemetryEvent[] {
    const end = this.head + Math.min(count, this.length);
    const events: TelemetryEvent[] = [];
    for (let i = this.head; i < end; i++) events.push(this.wire(i));
    this.release(this.head, end);
    this.head = end;
    if (this.head === this.tail) this.head = this.tail = 0;
    return events;
  }

  private wire(i: number): TelemetryEvent {
    const kind = this.kinds[i];
    const event_session_index = this.indices[i];
    const timestamp = new Date(this.ats[i]!).toISOString();
    if (kind === START)
      return {
        event: 'GENERIC_EVENT',
        event_id: randomUUID(),
        event_session_index,
        severity: 'INFO',
        timestamp,
        event_name: 'tinkex.http.request.start',
        event_data: {
          measurements: {},
          metadata: { endpoint: this.endpoints[i], method: this.methods[i], url: this.refs[i] },
        },
      } as TelemetryEvent;
    if (kind === STOP)
      return {
        event: 'GENERIC_EVENT',
        event_id: randomUUID(),
        event_session_index,
        severity: 'INFO',
        timestamp,
        event_name: 'tinkex.http.request.stop',
        event_data: {
          measurements: { duration_ms: this.durations[i] },
          metadata: {
            endpoint: this.endpoints[i],
            status: this.statuses[i],
            result: 'ok',
            retry_count: this.retries[i],
          },
        },
      } as TelemetryEvent;
    const record = this.refs[i] as QueuedRecord;
    return Object.assign(
      {
        event: record.event,
        event_id: randomUUID(),
        event_session_index,
        severity: record.severity,
        timestamp,
      },
      record.fields,
    ) as TelemetryEvent;
  }

  /** The next free slot, its kind, index and time set. */
  private slot(kind: number, index: number, at: number): number {
    if (this.tail === this.kinds.length) this.makeRoom();
    const slot = this.tail++;
    this.kinds[slot] = kind;
    this.indices[slot] = index;
    this.ats[slot] = at;
    return slot;
  }

  /** Move the queued slots to the front if at least half the capacity is free there; else double it. */
  private makeRoom(): void {
    const length = this.length;
    if (this.head >= this.kinds.length / 2) {
      this.move(this.head, this.tail, 0);
      this.release(length, this.tail);
    } else {
      const capacity = this.kinds.length * 2;
      this.kinds = grown(this.kinds, new Uint8Array(capacity), this.head, this.tail);
      this.indices = grown(this.indices, new Float64Array(capacity), this.head, this.tail);
      this.ats = grown(this.ats, new Float64Array(capacity), this.head, this.tail);
      this.durations = grown(this.durations, new Float64Array(capacity), this.head, this.tail);
      this.statuses = grown(this.statuses, new Int32Array(capacity), this.head, this.tail);
      this.retries = grown(this.retries, new Int32Array(capacity), this.head, this.tail);
      this.endpoints = grownRefs(this.endpoints, capacity, this.head, this.tail);
      this.methods = grownRefs(this.methods, capacity, this.head, this.tail);
      this.refs = grownRefs(this.refs, capacity, this.head, this.tail);
    }
    this.head = 0;
    this.tail = length;
  }

  /** Every column's slots [from, to) copied to start at `target`. */
  private move(from: number, to: number, target: number): void {
    this.kinds.copyWithin(target, from, to);
    this.indices.copyWithin(target, from, to);
    this.ats.copyWithin(target, from, to);
    this.durations.copyWithin(target, from, to);
    this.statuses.copyWithin(target, from, to);
    this.retries.copyWithin(target, from, to);
    this.endpoints.copyWithin(target, from, to);
    this.methods.copyWithin(target, from, to);
    this.refs.copyWithin(target, from, to);
  }

  /** Slots [from, to) hold no references, so what was sent or evicted can be collected. */
  private release(from: number, to: number): void {
    this.endpoints.fill(undefined, from, to);
    this.methods.fill(undefined, from, to);
    this.refs.fill(undefined, from, to);
  }
}

function grown<T extends Uint8Array | Int32Array | Float64Array>(
  old: T,
  next: T,
  head: number,
  tail: number,
): T {
  next.set(old.subarray(head, tail));
  return next;
}

function grownRefs<T>(old: T[], capacity: number, head: number, tail: number): T[] {
  const next = new Array<T>(capacity);
  for (let i = head; i < tail; i++) next[i - head] = old[i]!;
  return next;
}
