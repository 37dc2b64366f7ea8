import { describe, expect, it } from '@jest/globals';
import { APIConnectionError, APIUserAbortError, FakeClock, FifoSemaphore } from 'pristine-kernel';
import { SampleAttempts, type AttemptsState } from '../../src/client/sample-attempts.js';
import { ProgressWatch } from '../../src/client/sampling-progress.js';
import type { SampleResponse } from '../../src/types/schemas.js';

const response = { sequences: [], type: 'sample' } as unknown as SampleResponse;
const NOT_ASKED = { prompt_logprobs: null, topk_prompt_logprobs: null };
const tick = () => new Promise((r) => setImmediate(r));

/**
 * One sample past its in-flight slot, at a dispatch gate of one slot that the test holds: what the
 * attempts were called with, when, and what the sample released.
 */
function waitingSample(
  options: { signal?: AbortSignal; watch?: ProgressWatch; attempt?: () => Promise<SampleResponse> } = {},
) {
  const gate = new FifoSemaphore(1);
  const held = gate.tryAcquire(1)!;
  const calls: { keptSlot: unknown; signal: AbortSignal | undefined }[] = [];
  let inFlightReleases = 0;
  const attempts = new SampleAttempts(
    (_input: object, _context, _newSeqId, signal, seen: AttemptsState) => {
      calls.push({ keptSlot: seen.keptSlot, signal });
      return (options.attempt ?? (() => Promise.resolve(response)))();
    },
    {},
    { maxRetries: 0 },
    false,
    options.signal,
    options.watch,
    gate,
  );
  const result = attempts.holding(() => inFlightReleases++);
  result.catch(() => {});
  return { gate, held, calls, result, attempts, inFlight: () => inFlightReleases };
}

describe('SampleAttempts: a sample waiting for a dispatch slot', () => {
  it('starts its attempts a microtask after the slot is granted, with the slot kept for the first submission, and gives both slots back', async () => {
    const s = waitingSample();
    await tick();
    expect(s.calls).toEqual([]);
    expect(s.gate.waiting).toBe(1);
    s.held();
    expect(s.calls).toEqual([]); // not from inside the release that granted it
    await Promise.resolve();
    expect(s.calls).toHaveLength(1);
    expect(typeof s.calls[0]!.keptSlot).toBe('function');
    // A response without prompt_cache_hit_tokens gets the Python SDK's default of 0, and null for the
    // prompt logprobs it did not carry (the 0.25 result's shape).
    await expect(s.result).resolves.toEqual({ ...response, ...NOT_ASKED, prompt_cache_hit_tokens: 0 });
    expect(s.inFlight()).toBe(1);
    expect([s.gate.available, s.gate.waiting]).toEqual([1, 0]);
  });

  it('rejects when the caller aborts while it waits: no attempt, the in-flight slot given back', async () => {
    const controller = new AbortController();
    const s = waitingSample({ signal: controller.signal });
    controller.abort();
    await expect(s.result).rejects.toBeInstanceOf(APIUserAbortError);
    expect(s.calls).toEqual([]);
    expect(s.inFlight()).toBe(1);
    expect(s.gate.waiting).toBe(0);
    s.held();
    expect(s.gate.available).toBe(1);
  });

  it('fails as stuck when the sampler made no progress for the timeout while it waited, naming the last error', async () => {
    const clock = new FakeClock();
    const watch = new ProgressWatch(clock, 1_000);
    const s = waitingSample({ watch });
    s.attempts.error = new Error('last attempt: 503');
    await clock.advance(1_000);
    const error = await s.result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as Error).message).toBe('No progress made in 1s. Requests appear to be stuck.');
    expect(((error as Error).cause as Error).message).toBe('last attempt: 503');
    expect([s.calls.length, s.inFlight(), s.gate.waiting]).toEqual([0, 1, 0]);
    expect(clock.pending).toBe(0); // the watch stopped: nothing in progress
  });

  it('rejects with what its attempts threw synchronously once granted, and gives both slots back', async () => {
    const s = waitingSample({
      attempt: () => {
        throw new RangeError('bad input');
      },
    });
    s.held();
    await expect(s.result).rejects.toBeInstanceOf(RangeError);
    expect(s.inFlight()).toBe(1);
    expect(s.gate.available).toBe(1);
  });

  it('runs at once, keeping the slot it took, when the gate has one free', async () => {
    const s = waitingSample();
    s.held();
    const free = new FifoSemaphore(1);
    let kept: unknown;
    const attempts = new SampleAttempts(
      (_i: object, _c, _n, _s, seen: AttemptsState) => {
        kept = seen.keptSlot;
        return Promise.resolve({ ...response, prompt_cache_hit_tokens: 3 });
      },
      {},
      { maxRetries: 0 },
      false,
      undefined,
      undefined,
      free,
    );
    let released = 0;
    const result = attempts.holding(() => released++);
    expect(typeof kept).toBe('function');
    await expect(result).resolves.toEqual({ ...response, ...NOT_ASKED, prompt_cache_hit_tokens: 3 });
    expect([released, free.available]).toEqual([1, 1]);
  });
});
