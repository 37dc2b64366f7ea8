import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { getEventListeners } from 'node:events';
import { FakeClock, FifoSemaphore } from 'pristine-kernel';
import { CallScope } from '../../src/client/request-options.js';
import { SampleAttempts } from '../../src/client/sample-attempts.js';
import { ProgressWatch } from '../../src/client/sampling-progress.js';
import type { SampleResponse } from '../../src/types/schemas.js';

afterEach(() => {
  jest.restoreAllMocks();
});

const response: SampleResponse = {
  sequences: [],
  type: 'sample',
  prompt_logprobs: null,
  topk_prompt_logprobs: null,
  prompt_cache_hit_tokens: 0,
};

/**
 * Signals that outlive a call: a sampler's stuck watch (every sample of the sampler), a caller's
 * job-wide signal passed to every call for hours. Node 20's AbortSignal.any kept an entry per call in
 * such a source until it aborted (a heap that grew with every sample given a signal: 1,603 WeakRefs
 * per 80,000 samples in a soak where one in 50 had one). Calls link through the kernel's
 * `linkedSignal` and let go when they settle.
 */
describe('signals that outlive a call', () => {
  it('a sample with a signal under stuck detection leaves nothing on either when it settles', async () => {
    const any = jest.spyOn(AbortSignal, 'any');
    const clock = new FakeClock();
    const watch = new ProgressWatch(clock, 60_000);
    const jobWide = new AbortController().signal;
    const seen: (AbortSignal | undefined)[] = [];
    for (let i = 0; i < 50; i++) {
      const attempts = new SampleAttempts(
        (_input: object, _context, _newSeqId, signal) => {
          seen.push(signal);
          return Promise.resolve(response);
        },
        {},
        { maxRetries: 0 },
        false,
        jobWide,
        watch,
        new FifoSemaphore(4),
      );
      await expect(attempts.holding(() => {})).resolves.toBe(response);
    }
    expect(any).not.toHaveBeenCalled();
    expect(getEventListeners(jobWide, 'abort')).toHaveLength(0);
    // Each attempt ran on a signal that followed both (here: the caller's).
    const controller = new AbortController();
    const attempts = new SampleAttempts(
      (_input: object, _context, _newSeqId, signal) =>
        new Promise<SampleResponse>((_resolve, reject) =>
          signal!.addEventListener('abort', () => reject(signal!.reason as Error), { once: true }),
        ),
      {},
      { maxRetries: 0 },
      false,
      controller.signal,
      watch,
      new FifoSemaphore(4),
    );
    const result = attempts.holding(() => {});
    controller.abort(new Error('stop'));
    await expect(result).rejects.toThrow('stop');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('a call with a signal and a timeoutMs lets go of the caller’s signal once it ends', async () => {
    const any = jest.spyOn(AbortSignal, 'any');
    const clock = new FakeClock();
    const jobWide = new AbortController();
    for (let i = 0; i < 50; i++) {
      const scope = new CallScope({ signal: jobWide.signal, timeoutMs: 1_000 }, 'getInfo', clock);
      await scope.run(() => Promise.resolve(i));
    }
    expect(any).not.toHaveBeenCalled();
    expect(getEventListeners(jobWide.signal, 'abort')).toHaveLength(0);
    // Still joined while it runs: the caller's abort reaches the call, the deadline too.
    const scope = new CallScope({ signal: jobWide.signal, timeoutMs: 1_000 }, 'getInfo', clock);
    jobWide.abort();
    expect(scope.signal!.aborted).toBe(true);
    scope.end();
    const timed = new CallScope({ signal: new AbortController().signal, timeoutMs: 1_000 }, 'getInfo', clock);
    await clock.advance(1_000);
    expect(timed.signal!.aborted).toBe(true);
  });

  it('a view’s default signals (withOptions) are let go of by every call, with or without a deadline', async () => {
    const any = jest.spyOn(AbortSignal, 'any');
    const clock = new FakeClock();
    const [job, phase] = [new AbortController(), new AbortController()];
    const defaults = { signals: [job.signal, phase.signal], timeoutMs: undefined };
    const bounded = { ...defaults, timeoutMs: 60_000 };
    for (let i = 0; i < 5_000; i++) {
      const own = i % 2 ? { signal: new AbortController().signal } : undefined;
      await new CallScope(own, 'sample', clock, i % 3 ? defaults : bounded).run(() => Promise.resolve(i));
    }
    expect(any).not.toHaveBeenCalled();
    expect(getEventListeners(job.signal, 'abort')).toHaveLength(0);
    expect(getEventListeners(phase.signal, 'abort')).toHaveLength(0);
    expect(clock.pending).toBe(0);
    // While a call runs, either default signal aborts it (with its reason), and the call's own too.
    for (const which of [0, 1]) {
      const controllers = [new AbortController(), new AbortController()];
      const signals = controllers.map((c) => c.signal);
      const scope = new CallScope(undefined, 'sample', clock, { signals, timeoutMs: undefined });
      expect(scope.signal!.aborted).toBe(false);
      controllers[which].abort(`stop ${which}`);
      expect(scope.signal!.reason).toBe(`stop ${which}`);
      scope.end();
    }
    const own = new AbortController();
    const scope = new CallScope({ signal: own.signal }, 'sample', clock, defaults);
    own.abort();
    expect(scope.signal!.aborted).toBe(true);
    scope.end();
  });
});
