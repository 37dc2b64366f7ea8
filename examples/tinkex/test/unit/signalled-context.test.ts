import { describe, expect, it } from '@jest/globals';
import { FakeClock, type RetryContext } from 'pristine-kernel';
import { SignalledContexts } from '../../src/client/signalled-context.js';
import { ProgressWatch } from '../../src/client/sampling-progress.js';

const base: RetryContext = { maxRetries: 3, delays: { initialDelayMs: 10 } };

describe('SignalledContexts: each sample’s retry context with its signal', () => {
  it('gives every sample under stuck detection’s signal alone one shared context with that signal', () => {
    const watch = new ProgressWatch(new FakeClock(), 60_000);
    const contexts = new SignalledContexts();
    const first = watch.enter();
    const second = watch.enter();
    expect(second).toBe(first);
    const a = contexts.of(base, first, watch.signal);
    const b = contexts.of(base, second, watch.signal);
    expect(b).toBe(a);
    expect(a).toEqual({ ...base, signal: first });
    expect(a).not.toBe(base);
  });

  it('gives a sample with a signal of its own that signal, in a copy it does not remember for the next', () => {
    const watch = new ProgressWatch(new FakeClock(), 60_000);
    const contexts = new SignalledContexts();
    const shared = contexts.of(base, watch.enter(), watch.signal);
    const own = new AbortController().signal;
    const mine = contexts.of(base, own, watch.signal);
    expect(mine.signal).toBe(own);
    expect(mine).toEqual({ ...base, signal: own });
    expect(contexts.of(base, own, watch.signal)).not.toBe(mine);
    // The shared one is still the one remembered.
    expect(contexts.of(base, watch.enter(), watch.signal)).toBe(shared);
  });

  it('makes a new context for another base (no retries) or once stuck detection’s signal was replaced', async () => {
    const clock = new FakeClock();
    const watch = new ProgressWatch(clock, 1_000);
    const contexts = new SignalledContexts();
    const before = watch.enter();
    const first = contexts.of(base, before, watch.signal);
    const noRetries = { ...base, maxRetries: 0 };
    const other = contexts.of(noRetries, before, watch.signal);
    expect(other).toEqual({ ...noRetries, signal: before });
    await clock.advance(1_000);
    expect(before.aborted).toBe(true);
    // A sample still under the aborted signal gets a copy, not the remembered context.
    expect(watch.signal).toBeUndefined();
    expect(contexts.of(base, before, watch.signal)).not.toBe(first);
    watch.failed(new Error('x'), before);
    const after = watch.enter();
    expect(after).not.toBe(before);
    const again = contexts.of(base, after, watch.signal);
    expect(again.signal).toBe(after);
    expect(again).not.toBe(first);
  });

  it('copies the base with no signal when there is none (as the spread did)', () => {
    const contexts = new SignalledContexts();
    const context = contexts.of(base, undefined, undefined);
    expect(context).toEqual({ ...base, signal: undefined });
    expect(context).not.toBe(base);
  });
});
