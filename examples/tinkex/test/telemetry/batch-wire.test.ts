import { describe, expect, it } from '@jest/globals';
import { FakeClock } from 'pristine-kernel';
import { acceptingTelemetry } from '../support/accepting-telemetry.js';
import { FLUSH_INTERVAL_MS, FLUSH_THRESHOLD, MAX_BATCH_SIZE } from '../../src/telemetry/reporter.js';

/**
 * What a session's batches hold when events keep coming while a batch is in flight, as in a sampling
 * burst: the queue is taken from at the front while it is written at the end. Every event once, in the
 * order queued, with its own id, its index and the time it happened, whatever form the queue holds
 * them in (one object per event, or columns as round 24 tried: docs/performance-notes.md).
 */

describe('a session reporter fed during its sends', () => {
  it('flushes at 100, sends every event once in order with its time, and SESSION_END last', async () => {
    const clock = new FakeClock();
    const { kernel, reporter, batches } = acceptingTelemetry('session-9', clock);
    const url = 'http://127.0.0.1:1/api/v1/asample';
    // SESSION_START and 98 starts, 20 ms apart (50 a second: not a burst, which would wait for the
    // 10 s timer): nothing sent yet; the 100th event sends them at once.
    for (let i = 0; i < FLUSH_THRESHOLD - 2; i++) {
      await clock.advance(20);
      reporter.httpStart('asample', 'POST', url);
    }
    expect(batches()).toHaveLength(0);
    reporter.httpStop('asample', 200, 1.25, 0);
    // The first batch is in flight; 380 more events arrive before it is answered, a millisecond apart.
    const times: number[] = [];
    for (let i = 0; i < 380; i++) {
      await clock.advance(1);
      times.push(clock.now());
      if (i % 3 === 0) reporter.httpStart('retrieve_future', 'POST', url);
      else if (i % 3 === 1) reporter.httpStop('retrieve_future', 200 + (i % 5), i / 4, i % 2);
      else reporter.generic('tinkex.retry.attempt.retry', { attempt: i });
    }
    // Those 380 came in under 0.4 s, a burst: they wait. Only the batch flushed at 100 went before
    // close(), still short of the 10 s timer (2.4 s in).
    expect(clock.monotonic()).toBeLessThan(FLUSH_INTERVAL_MS);
    expect(batches()).toHaveLength(1);
    expect(batches()[0]!.events).toHaveLength(FLUSH_THRESHOLD);
    await reporter.close();
    await kernel.close();

    expect(batches()[0]!.events).toHaveLength(FLUSH_THRESHOLD);
    expect(batches().every((b) => b.events.length <= MAX_BATCH_SIZE)).toBe(true);
    const sent = batches().flatMap((b) => b.events);
    expect(sent.map((e) => e.event_session_index)).toEqual(Array.from({ length: 481 }, (_, i) => i));
    expect(new Set(sent.map((e) => e.event_id)).size).toBe(481);
    expect(sent[0]!.event).toBe('SESSION_START');
    expect(sent.at(-1)!.event).toBe('SESSION_END');
    // The events fed during the sends, field for field, each stamped with the time it was queued.
    const fed = sent.slice(FLUSH_THRESHOLD, 480);
    expect(fed.map((e) => e.timestamp)).toEqual(times.map((t) => new Date(t).toISOString()));
    expect(fed[0]!.event_data).toEqual({
      measurements: {},
      metadata: { endpoint: 'retrieve_future', method: 'POST', url },
    });
    expect(JSON.stringify(fed[1]!.event_data)).toBe(
      JSON.stringify({
        measurements: { duration_ms: 0.25 },
        metadata: { endpoint: 'retrieve_future', status: 201, result: 'ok', retry_count: 1 },
      }),
    );
    expect(fed[2]).toMatchObject({ event_name: 'tinkex.retry.attempt.retry', event_data: { attempt: 2 } });
    expect(sent[FLUSH_THRESHOLD - 1]).toMatchObject({
      event_name: 'tinkex.http.request.stop',
      event_data: { measurements: { duration_ms: 1.25 } },
    });
  });
});
