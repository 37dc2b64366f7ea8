import { afterEach, describe, expect, it } from '@jest/globals';
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { KernelEvents } from 'pristine-kernel';
import { TinkexMetrics } from '../../src/index.js';

/** The OTel SDK's pull reader: `collect()` returns what an exporter would be given. */
class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

afterEach(() => metrics.disable());

/** The scope names of what `make` records on the global MeterProvider. */
async function scopesOf(make: (events: KernelEvents) => TinkexMetrics): Promise<string[]> {
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader] });
  metrics.disable(); // the global provider is set once; each case sets its own
  metrics.setGlobalMeterProvider(provider);
  const events = new KernelEvents();
  const tinkex = make(events);
  tinkex.increment('tinkex.test.calls');
  const { resourceMetrics } = await reader.collect();
  tinkex.close();
  await provider.shutdown();
  return resourceMetrics.scopeMetrics.map((s) => s.scope.name);
}

/**
 * Found on review: `{ meterName: 'tinkex', ...options }` let an explicit `meterName: undefined` (an
 * options object built from optional settings) replace the default, so the instruments landed on the
 * kernel's meter, 'pristine-kernel'. Undefined now means the default.
 */
describe('TinkexMetrics meter name', () => {
  it("is 'tinkex' when not given, also when given as undefined; a name given is used", async () => {
    expect(await scopesOf((events) => new TinkexMetrics(events))).toEqual(['tinkex']);
    expect(await scopesOf((events) => new TinkexMetrics(events, { meterName: undefined }))).toEqual([
      'tinkex',
    ]);
    expect(await scopesOf((events) => new TinkexMetrics(events, { meterName: 'mine' }))).toEqual(['mine']);
  });
});
