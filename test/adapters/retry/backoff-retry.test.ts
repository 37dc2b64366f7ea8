import { describe, expect, it } from '@jest/globals';
import { BackoffRetry } from '../../../src/adapters/retry/backoff-retry.js';
import { APIConnectionError, APIUserAbortError } from '../../../src/kernel/errors/api-errors.js';
import { RecordingClock } from '../../support/recording-clock.js';

const retryable = () => ({ kind: 'retryable' as const, error: new APIConnectionError() });

describe('BackoffRetry', () => {
  it('with maxRetries 0 is one attempt whose failure is thrown as is (what oneAttemptWithoutRetries promises)', async () => {
    const clock = new RecordingClock();
    const retry = new BackoffRetry(clock, undefined, () => 0);
    expect(retry.oneAttemptWithoutRetries).toBe(true);
    const error = new APIConnectionError();
    let attempts = 0;
    const retried: number[] = [];
    const outcome = retry.run(
      async () => {
        attempts++;
        return { kind: 'retryable' as const, error };
      },
      { maxRetries: 0, onRetry: ({ attempt }) => retried.push(attempt) },
    );
    await expect(outcome).rejects.toBe(error);
    expect([attempts, retried, clock.sleeps]).toEqual([1, [], []]);
    await expect(retry.run(async () => ({ kind: 'success', value: 7 }), { maxRetries: 0 })).resolves.toBe(7);
  });

  it('computes min(0.5 s·2^n, 8 s) × (1 − 0.25·random)', async () => {
    const clock = new RecordingClock();
    const retry = new BackoffRetry(clock, undefined, () => 1);
    await expect(retry.run(async () => retryable(), { maxRetries: 6 })).rejects.toThrow(APIConnectionError);
    expect(clock.sleeps).toEqual([375, 750, 1500, 3000, 6000, 6000]);
  });

  it('uses no jitter when random is 0 and respects a policy override', async () => {
    const clock = new RecordingClock();
    const retry = new BackoffRetry(clock, undefined, () => 0);
    await expect(
      retry.run(async () => retryable(), { maxRetries: 3, delays: { maxDelayMs: 1000 } }),
    ).rejects.toThrow();
    expect(clock.sleeps).toEqual([500, 1000, 1000]);
  });

  it('honours a server retry-after within 60 s and ignores larger ones', async () => {
    const clock = new RecordingClock();
    const retry = new BackoffRetry(clock, undefined, () => 0);
    let n = 0;
    const result = await retry.run(
      async () => {
        n++;
        if (n === 1) return { kind: 'retryable', error: new Error('a'), retryAfterMs: 1234 };
        if (n === 2) return { kind: 'retryable', error: new Error('b'), retryAfterMs: 61_000 };
        return { kind: 'success', value: 'done' };
      },
      { maxRetries: 5 },
    );
    expect(result).toBe('done');
    expect(clock.sleeps).toEqual([1234, 1000]);
  });

  it('never retries a fatal outcome or a non-replayable body', async () => {
    const clock = new RecordingClock();
    const retry = new BackoffRetry(clock);
    let calls = 0;
    await expect(
      retry.run(
        async () => {
          calls++;
          return { kind: 'fatal', error: new Error('bad request') };
        },
        { maxRetries: 5 },
      ),
    ).rejects.toThrow('bad request');
    await expect(
      retry.run(
        async () => {
          calls++;
          return retryable();
        },
        { maxRetries: 5, replayable: () => false },
      ),
    ).rejects.toThrow(APIConnectionError);
    expect(calls).toBe(2);
    expect(clock.sleeps).toEqual([]);
  });

  it('rejects at once with APIUserAbortError when aborted during the backoff sleep', async () => {
    const clock = new RecordingClock();
    clock.hold = true;
    const retry = new BackoffRetry(clock);
    const controller = new AbortController();
    const running = retry.run(async () => retryable(), {
      maxRetries: 5,
      signal: controller.signal,
    });
    await Promise.resolve();
    await Promise.resolve();
    controller.abort();
    await expect(running).rejects.toThrow(APIUserAbortError);
    expect(clock.sleeps).toHaveLength(1);
  });

  it('does not retry once the signal aborted: the attempt error, no retry announced, no sleep', async () => {
    const clock = new RecordingClock();
    const retry = new BackoffRetry(clock);
    const controller = new AbortController();
    const error = new APIConnectionError('reset');
    const announced: number[] = [];
    const running = retry.run(
      async () => {
        controller.abort(); // the attempt failed as the caller gave up
        return { kind: 'retryable' as const, error };
      },
      { maxRetries: 5, signal: controller.signal, onRetry: ({ attempt }) => announced.push(attempt) },
    );
    await expect(running).rejects.toBe(error);
    expect([announced, clock.sleeps]).toEqual([[], []]);
  });

  it('numbers attempts from 0 and announces retries from 1, each with the error that caused it', async () => {
    const clock = new RecordingClock();
    const retry = new BackoffRetry(clock, undefined, () => 0);
    const attempts: number[] = [];
    const announced: Array<[number, number, unknown]> = [];
    const errors = [new APIConnectionError('a'), new APIConnectionError('b')];
    const result = await retry.run(
      async (n) => {
        attempts.push(n);
        return n < 2
          ? { kind: 'retryable' as const, error: errors[n] }
          : { kind: 'success' as const, value: n };
      },
      {
        maxRetries: 5,
        onRetry: ({ attempt, delayMs, error }) => announced.push([attempt, delayMs, error]),
      },
    );
    expect(result).toBe(2);
    expect(attempts).toEqual([0, 1, 2]);
    expect(announced).toEqual([
      [1, 500, errors[0]],
      [2, 1000, errors[1]],
    ]);
  });

  it('honours a retry-after at both bounds: 0 (at once) and exactly the 60 s cap', async () => {
    const clock = new RecordingClock();
    const retry = new BackoffRetry(clock, undefined, () => 0);
    const asked = [0, 60_000];
    const result = await retry.run(
      async (n) =>
        n < asked.length
          ? { kind: 'retryable' as const, error: new APIConnectionError(), retryAfterMs: asked[n] }
          : { kind: 'success' as const, value: 'done' },
      { maxRetries: 5 },
    );
    expect(result).toBe('done');
    expect(clock.sleeps).toEqual([0, 60_000]);
  });

  it('ends with the caller abort, no further attempt, when the caller aborts as the client closes', async () => {
    const clock = new RecordingClock();
    clock.hold = true;
    const retry = new BackoffRetry(clock);
    const controller = new AbortController();
    const closing = new AbortController();
    let attempts = 0;
    const running = retry.run(
      async () => {
        attempts++;
        return retryable();
      },
      { maxRetries: 5, signal: controller.signal, interrupt: closing.signal },
    );
    while (clock.sleeps.length === 0) await Promise.resolve();
    closing.abort();
    controller.abort();
    await expect(running).rejects.toBeInstanceOf(APIUserAbortError);
    expect(attempts).toBe(1);
  });

  it('turns an attempt that throws synchronously into a rejection, never a throw from run', async () => {
    const retry = new BackoffRetry(new RecordingClock());
    const error = new Error('bad input');
    let running: Promise<unknown> | undefined;
    expect(() => {
      running = retry.run(
        () => {
          throw error;
        },
        { maxRetries: 3 },
      );
    }).not.toThrow();
    await expect(running).rejects.toBe(error);
  });
});
