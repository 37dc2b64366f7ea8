import {
  metrics as otelMetrics,
  type Attributes,
  type Counter,
  type Histogram,
  type Meter,
} from '@opentelemetry/api';
import type { KernelEvents } from '../events.js';
import { LatencyHistogram, type HistogramSummary } from './latency-histogram.js';

export interface KernelMetricsOptions {
  /**
   * The OpenTelemetry meter the instruments are created on. Default: `metrics.getMeter(meterName)` on
   * the global provider (a no-op until an OTel SDK registers one).
   */
  meter?: Meter;
  /** Default `'pristine-kernel'`; plugins name their own (`'tinkex'`). */
  meterName?: string;
}

/** Counters and histograms by name; each name also has series per attribute set: `name{k=v,…}`. */
export interface MetricsSnapshot {
  counters: Record<string, number>;
  histograms: Record<string, HistogramSummary>;
}

/**
 * The kernel's metrics, fed by its events: requests (count and latency by endpoint and status),
 * retries, and polled futures (time to result and polls). Each value goes both to an OpenTelemetry
 * instrument (so any OTel SDK exports it) and to an in-process aggregate for `snapshot()`.
 *
 * Opt-in: nothing is subscribed until this is created, so a kernel nobody measures pays nothing
 * (the pipeline only builds event payloads for observed events). `close()` unsubscribes.
 * Plugins record their own metrics through `increment` and `record`.
 */
export class KernelMetrics {
  readonly #meter: Meter;
  readonly #counters = new Map<string, Counter>();
  readonly #histograms = new Map<string, Histogram>();
  readonly #counts = new Map<string, number>();
  readonly #latencies = new Map<string, LatencyHistogram>();
  readonly #unsubscribe: (() => void)[];

  constructor(events: KernelEvents, options: KernelMetricsOptions = {}) {
    this.#meter = options.meter ?? otelMetrics.getMeter(options.meterName ?? 'pristine-kernel');
    this.#unsubscribe = [
      events.on('request:stop', (e) => {
        const attributes = { endpoint: e.endpointId, status: e.status, outcome: 'ok' };
        this.increment('pristine.requests', attributes, 1, '{request}');
        this.record('pristine.request.duration', e.durationMs, attributes);
      }),
      events.on('request:error', (e) => {
        const attributes = { endpoint: e.endpointId, status: e.status ?? 0, outcome: 'error' };
        this.increment('pristine.requests', attributes, 1, '{request}');
        if (e.durationMs !== undefined) this.record('pristine.request.duration', e.durationMs, attributes);
      }),
      events.on('request:retry', (e) =>
        this.increment('pristine.retries', { endpoint: e.endpointId }, 1, '{retry}'),
      ),
      events.on('future:settled', (e) => {
        const attributes = { endpoint: e.endpointId, outcome: e.outcome };
        this.increment('pristine.futures', attributes, 1, '{future}');
        this.record('pristine.future.duration', e.durationMs, attributes);
        this.record('pristine.future.polls', e.polls, attributes, '{poll}');
      }),
    ];
  }

  /**
   * Add `by` (default 1) to the counter `name`. `unit` (UCUM, counts as `{request}`), read when the
   * counter is first used, lets a metrics backend label it.
   */
  increment(name: string, attributes: Attributes = {}, by = 1, unit?: string): void {
    let counter = this.#counters.get(name);
    if (!counter)
      this.#counters.set(name, (counter = this.#meter.createCounter(name, unit ? { unit } : undefined)));
    counter.add(by, attributes);
    for (const key of seriesKeys(name, attributes)) this.#counts.set(key, (this.#counts.get(key) ?? 0) + by);
  }

  /** Record one value in the histogram `name` (unit `ms` unless told). */
  record(name: string, value: number, attributes: Attributes = {}, unit = 'ms'): void {
    let histogram = this.#histograms.get(name);
    if (!histogram) this.#histograms.set(name, (histogram = this.#meter.createHistogram(name, { unit })));
    histogram.record(value, attributes);
    for (const key of seriesKeys(name, attributes)) {
      let latency = this.#latencies.get(key);
      if (!latency) this.#latencies.set(key, (latency = new LatencyHistogram()));
      latency.record(value);
    }
  }

  /** Everything recorded since creation (or the last `reset()`), with p50/p95/p99 per histogram. */
  snapshot(): MetricsSnapshot {
    const histograms: Record<string, HistogramSummary> = {};
    for (const [key, h] of this.#latencies) histograms[key] = h.summary();
    return { counters: Object.fromEntries(this.#counts), histograms };
  }

  /** Forget the in-process aggregates (OTel instruments keep their own, cumulative, state). */
  reset(): void {
    this.#counts.clear();
    this.#latencies.clear();
  }

  close(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
  }
}

function seriesKeys(name: string, attributes: Attributes): string[] {
  const entries = Object.entries(attributes).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return [name];
  entries.sort(([a], [b]) => (a < b ? -1 : 1));
  return [name, `${name}{${entries.map(([k, v]) => `${k}=${String(v)}`).join(',')}}`];
}
