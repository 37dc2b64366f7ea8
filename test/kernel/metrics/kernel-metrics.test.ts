import { afterEach, describe, expect, it } from '@jest/globals';
import { MeterProvider, MetricReader, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';
import { Type } from '@sinclair/typebox';
import { createKernel } from '../../../src/defaults/kernel.js';
import { definePlugin } from '../../../src/kernel/plugin.js';
import { KernelMetrics } from '../../../src/kernel/metrics/kernel-metrics.js';
import type { PollProtocol, PollReading } from '../../../src/ports/futures.js';
import { Ports } from '../../../src/ports/index.js';
import { RecordingClock } from '../../support/recording-clock.js';
import { json, scriptedServer } from '../../support/scripted-server.js';

/** The SDK's pull reader: `collect()` returns what an exporter would be given. */
class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const protocol: PollProtocol<number> = {
  pollEndpoint: 'poll_job',
  requestId: (body) => (body as { id: string }).id,
  pollInput: ({ requestId }) => ({ id: requestId }),
  onExpired: 'fail',
  read(body): PollReading<number> {
    const b = body as { status: string; result?: number };
    return b.status === 'pending' ? { state: 'pending' } : { state: 'complete', value: b.result! };
  },
};

function kernelFor(url: string) {
  const plugin = definePlugin({
    name: 'jobs',
    version: '1',
    defaults: { baseUrl: url, breaker: false },
    pollProtocols: { jobs: protocol },
    manifest: {
      name: 'jobs',
      version: '1',
      endpoints: [
        { id: 'start_job', method: 'POST', path: '/jobs', input: Type.Object({}), future: 'jobs' },
        { id: 'poll_job', method: 'POST', path: '/jobs/poll', input: Type.Object({ id: Type.String() }) },
        { id: 'missing', method: 'GET', path: '/missing' },
      ],
    },
  });
  const kernel = createKernel().use(plugin);
  kernel.register(Ports.Clock, new RecordingClock());
  return kernel;
}

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.map((c) => c()));
  cleanup = [];
});

/** POST /jobs fails once with 503 (a retry), the job is pending twice, GET /missing is a 404. */
async function jobServer() {
  let submits = 0;
  let polls = 0;
  const server = await scriptedServer((req, res) => {
    if (req.path === '/jobs') return submits++ === 0 ? json(res, 503, {}) : json(res, 200, { id: 'job-1' });
    if (req.path === '/missing') return json(res, 404, { error: 'no' });
    return polls++ < 2
      ? json(res, 200, { status: 'pending' })
      : json(res, 200, { status: 'done', result: 7 });
  });
  cleanup.push(server.close);
  return server;
}

async function exercise(kernel: ReturnType<typeof kernelFor>) {
  await expect(kernel.submit('start_job', {})).resolves.toBe(7);
  await expect(kernel.call('missing', {})).rejects.toMatchObject({ status: 404 });
}

describe('KernelMetrics', () => {
  it('counts requests by endpoint and status, retries, and futures with time to result and polls', async () => {
    const server = await jobServer();
    const kernel = kernelFor(server.url);
    cleanup.push(() => kernel.close());
    const metrics = new KernelMetrics(kernel.events);
    await exercise(kernel);
    const { counters, histograms } = metrics.snapshot();
    expect(counters['pristine.requests{endpoint=start_job,outcome=ok,status=200}']).toBe(1);
    expect(counters['pristine.requests{endpoint=poll_job,outcome=ok,status=200}']).toBe(3);
    expect(counters['pristine.requests{endpoint=missing,outcome=error,status=404}']).toBe(1);
    expect(counters['pristine.requests']).toBe(5);
    expect(counters['pristine.retries{endpoint=start_job}']).toBe(1);
    expect(counters['pristine.futures{endpoint=start_job,outcome=ok}']).toBe(1);
    expect(histograms['pristine.future.polls']).toMatchObject({ count: 1, p50: 3, p99: 3 });
    expect(histograms['pristine.request.duration'].count).toBe(5);
    // The clock advanced only by the pacing sleeps between the three polls (10 + 20 ms).
    expect(histograms['pristine.future.duration']).toMatchObject({ count: 1, min: 30, max: 30 });
    metrics.close();
  });

  it('exports the same instruments through a real OpenTelemetry metrics SDK', async () => {
    const server = await jobServer();
    const kernel = kernelFor(server.url);
    cleanup.push(() => kernel.close());
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    cleanup.push(() => provider.shutdown());
    const metrics = new KernelMetrics(kernel.events, { meter: provider.getMeter('test') });
    await exercise(kernel);
    const { resourceMetrics } = await reader.collect();
    const exported = new Map(resourceMetrics.scopeMetrics[0].metrics.map((m) => [m.descriptor.name, m]));
    const point = (name: string, attrs: Record<string, unknown>) =>
      exported.get(name)!.dataPoints.find((p) => JSON.stringify(p.attributes) === JSON.stringify(attrs));
    expect(point('pristine.requests', { endpoint: 'poll_job', status: 200, outcome: 'ok' })?.value).toBe(3);
    expect(point('pristine.requests', { endpoint: 'missing', status: 404, outcome: 'error' })?.value).toBe(1);
    expect(point('pristine.retries', { endpoint: 'start_job' })?.value).toBe(1);
    const polls = point('pristine.future.polls', {
      endpoint: 'start_job',
      outcome: 'ok',
    }) as DataPoint<Histogram>;
    expect(polls.value).toMatchObject({ count: 1, sum: 3 });
    expect(exported.get('pristine.request.duration')!.descriptor.unit).toBe('ms');
    // Counters carry their unit as the OTel conventions annotate counts, so backends label them.
    const units = ['pristine.requests', 'pristine.retries', 'pristine.futures', 'pristine.future.polls'].map(
      (name) => exported.get(name)!.descriptor.unit,
    );
    expect(units).toEqual(['{request}', '{retry}', '{future}', '{poll}']);
    metrics.close();
  });

  it('stops observing on close: the kernel no longer emits future:settled', async () => {
    const server = await jobServer();
    const kernel = kernelFor(server.url);
    cleanup.push(() => kernel.close());
    const metrics = new KernelMetrics(kernel.events);
    expect(kernel.events.observed('future:settled')).toBe(true);
    metrics.close();
    expect(kernel.events.observed('future:settled')).toBe(false);
    await exercise(kernel);
    expect(metrics.snapshot().counters).toEqual({});
  });
});
