import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { getEventListeners } from 'node:events';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { BackoffRetry } from '../../../src/adapters/retry/backoff-retry.js';
import { linkedSignal, linkedSignals } from '../../../src/kernel/signals/linked-signal.js';

afterEach(() => {
  jest.restoreAllMocks();
});

/**
 * Node 20's AbortSignal.any keeps an entry per call in each source's dependants until that source
 * aborts: with a source that lives as long as the client, every call grew the heap for good. A linked
 * signal must abort as AbortSignal.any does and let go of its sources once unlinked.
 */
describe('linkedSignal', () => {
  it('aborts with the reason of whichever source aborts first, or at once if one already has', () => {
    const a = new AbortController();
    const b = new AbortController();
    const linked = linkedSignal(a.signal, b.signal);
    expect(linked.signal.aborted).toBe(false);
    b.abort('b went');
    a.abort('a went');
    expect([linked.signal.aborted, linked.signal.reason]).toEqual([true, 'b went']);
    expect(linkedSignal(a.signal, new AbortController().signal).signal.reason).toBe('a went');
  });

  it('leaves nothing on a long-lived source once unlinked, however many calls linked to it', () => {
    const longLived = new AbortController();
    const links = Array.from({ length: 10_000 }, () =>
      linkedSignal(longLived.signal, new AbortController().signal),
    );
    // Shared: one listener on the source for all of them, and none once each call settled.
    expect(getEventListeners(longLived.signal, 'abort')).toHaveLength(1);
    for (const link of links) link.unlink();
    expect(getEventListeners(longLived.signal, 'abort')).toHaveLength(0);
    // An unlinked signal no longer follows its sources.
    longLived.abort();
    expect(links[0].signal.aborted).toBe(false);
  });

  it('is what a retry backoff sleeps on: no AbortSignal.any per retry, nothing left on the interrupt', async () => {
    const any = jest.spyOn(AbortSignal, 'any');
    const clock = new FakeClock();
    const retry = new BackoffRetry(clock, {
      initialDelayMs: 10,
      maxDelayMs: 10,
      jitter: 0,
      maxRetryAfterMs: 0,
    });
    // The interrupt (the client's closing signal) lives as long as the client; the caller's per call.
    const interrupt = new AbortController().signal;
    for (let call = 0; call < 20; call++) {
      let n = 0;
      const done = retry.run(
        async () =>
          n++ === 0
            ? { kind: 'retryable' as const, error: new Error('503') }
            : { kind: 'success' as const, value: n },
        { maxRetries: 1, signal: new AbortController().signal, interrupt },
      );
      await clock.advance(10);
      await expect(done).resolves.toBe(2);
    }
    expect(any).not.toHaveBeenCalled();
    expect(getEventListeners(interrupt, 'abort')).toHaveLength(0);
  });
});

describe('linkedSignals', () => {
  it('is nothing for no signal and the signal itself for one (repeats and undefined skipped)', () => {
    const a = new AbortController().signal;
    expect(linkedSignals([undefined])).toBeUndefined();
    expect(linkedSignals([a, undefined, a])).toEqual({ signal: a });
  });

  it('aborts when any of three does, with its reason, and lets go of all three once unlinked', () => {
    const sources = [new AbortController(), new AbortController(), new AbortController()];
    const linked = linkedSignals(sources.map((c) => c.signal))!;
    sources[2].abort('the third');
    expect([linked.signal.aborted, linked.signal.reason]).toEqual([true, 'the third']);
    const others = [new AbortController(), new AbortController(), new AbortController()];
    const links = Array.from({ length: 1_000 }, () => linkedSignals(others.map((c) => c.signal))!);
    for (const link of links) link.unlink?.();
    for (const source of others) expect(getEventListeners(source.signal, 'abort')).toHaveLength(0);
  });
});
