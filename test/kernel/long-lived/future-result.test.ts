import { getEventListeners } from 'node:events';
import { describe, expect, it } from '@jest/globals';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { APIUserAbortError } from '../../../src/kernel/errors/api-errors.js';
import { APIFuture } from '../../../src/kernel/futures/api-future.js';
import { FutureCancelledError, FutureTimeoutError } from '../../../src/kernel/futures/future-errors.js';
import { onAbort } from '../../../src/kernel/signals/on-abort.js';

/** A future whose operation completes when the test says so. */
function manualFuture(clock: FakeClock) {
  let finish!: (value: number) => void;
  const outcome = new Promise<number>((resolve) => (finish = resolve));
  const future = new APIFuture<number>(Promise.resolve('req-1'), () => outcome, clock);
  return { future, finish };
}

describe('APIFuture.result', () => {
  it('rejects with FutureTimeoutError at the deadline; the operation goes on and can still be awaited', async () => {
    const clock = new FakeClock();
    const { future, finish } = manualFuture(clock);
    const waiting = future.result({ timeoutMs: 5_000 });
    await clock.advance(4_999);
    let settled = false;
    void waiting.then(
      () => (settled = true),
      () => (settled = true),
    );
    await clock.advance(0);
    expect(settled).toBe(false);
    await clock.advance(1);
    await expect(waiting).rejects.toBeInstanceOf(FutureTimeoutError);
    await expect(waiting).rejects.toThrow(/req-1/);
    finish(42);
    await expect(future).resolves.toBe(42);
  });

  it('resolves before the deadline and leaves no timer behind', async () => {
    const clock = new FakeClock();
    const { future, finish } = manualFuture(clock);
    const waiting = future.result({ timeoutMs: 7_200_000 });
    await clock.advance(10);
    expect(clock.pending).toBe(1);
    finish(7);
    await expect(waiting).resolves.toBe(7);
    expect(clock.pending).toBe(0);
  });

  it('stops waiting when the signal aborts, cancels the deadline, and does not cancel the operation', async () => {
    const clock = new FakeClock();
    const { future, finish } = manualFuture(clock);
    const controller = new AbortController();
    const waiting = future.result({ timeoutMs: 60_000, signal: controller.signal });
    await clock.advance(10);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(APIUserAbortError);
    expect(clock.pending).toBe(0);
    expect(future.cancelled).toBe(false);
    finish(1);
    await expect(future.result()).resolves.toBe(1);
  });

  it("carries the signal's reason, and says so when the signal timed out (AbortSignal.timeout)", async () => {
    const clock = new FakeClock();
    const { future } = manualFuture(clock);
    const timedOut = new AbortController();
    const waiting = future.result({ signal: timedOut.signal });
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    timedOut.abort(timeout);
    const error = await waiting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect((error as Error).message).toBe('Request was aborted: its signal timed out (AbortSignal.timeout).');
    expect((error as Error).cause).toBe(timeout);

    const plain = new AbortController();
    plain.abort();
    const aborted = await future.result({ signal: plain.signal }).catch((e: unknown) => e);
    expect((aborted as Error).message).toBe('Request was aborted.');
    expect((aborted as Error).cause).toBe(plain.signal.reason);
  });

  it('rejects at once for a signal that is already aborted', async () => {
    const clock = new FakeClock();
    const { future } = manualFuture(clock);
    const controller = new AbortController();
    controller.abort();
    await expect(future.result({ timeoutMs: 1000, signal: controller.signal })).rejects.toBeInstanceOf(
      APIUserAbortError,
    );
    expect(clock.pending).toBe(0);
  });
});

/** A future whose poll hangs until its signal aborts, then rejects with the signal's reason. */
function pollingFuture(clock: FakeClock, signal?: AbortSignal) {
  const seen: { signal?: AbortSignal } = {};
  const future = new APIFuture<number>(
    Promise.resolve('req-2'),
    (_id, pollSignal) => {
      seen.signal = pollSignal;
      return new Promise<number>((_, reject) => {
        if (pollSignal.aborted) reject(pollSignal.reason);
        pollSignal.addEventListener('abort', () => reject(pollSignal.reason), { once: true });
      });
    },
    clock,
    signal,
  );
  return { future, seen };
}

describe('APIFuture.result options', () => {
  // Each was taken as is: a string or NaN timeout fired at once ("Timed out after x ms"), a negative one
  // too, and a signal that is not an AbortSignal threw a TypeError from inside the kernel.
  it.each([
    [{ timeoutMs: 'x' }, 'timeoutMs', 'finite'],
    [{ timeoutMs: Number.NaN }, 'timeoutMs', 'finite'],
    [{ timeoutMs: -1 }, 'timeoutMs', 'minimum'],
    [{ timeoutMs: 0 }, 'timeoutMs', 'minimum'],
    [{ signal: 5 }, 'signal', 'type'],
    [{ signal: {} }, 'signal', 'type'],
    [{ timeoutMS: 10 }, 'timeoutMS', 'additionalProperties'],
  ])(
    'rejects %j with a ValidationError naming the field and rule, leaving the future alone',
    async (options, field, rule) => {
      const clock = new FakeClock();
      const { future, finish } = manualFuture(clock);
      const waiting = future.result(options as never);
      await expect(waiting).rejects.toMatchObject({
        name: 'ValidationError',
        issues: [expect.objectContaining({ pointer: `/${field}`, rule })],
      });
      expect(clock.pending).toBe(0);
      finish(3);
      await expect(future).resolves.toBe(3);
    },
  );

  it('rejects options that are not an object', async () => {
    const { future, finish } = manualFuture(new FakeClock());
    await expect(future.result(5 as never)).rejects.toMatchObject({ name: 'ValidationError' });
    // null too (a default parameter covers only undefined): one issue at the root, not a TypeError.
    await expect(future.result(null as never)).rejects.toMatchObject({
      name: 'ValidationError',
      issues: [expect.objectContaining({ pointer: '', rule: 'type' })],
    });
    finish(1);
  });
});

describe("APIFuture with the caller's signal", () => {
  it("stops polling with the caller's reason and is not a cancellation", async () => {
    const caller = new AbortController();
    const { future, seen } = pollingFuture(new FakeClock(), caller.signal);
    await future.accepted;
    await Promise.resolve();
    expect(seen.signal?.aborted).toBe(false);
    const reason = new Error('caller gave up');
    caller.abort(reason);
    expect(seen.signal?.aborted).toBe(true);
    await expect(future).rejects.toBe(reason);
    expect(future.cancelled).toBe(false);
  });

  it('cancel() still ends the poll as a cancellation and leaves the caller signal alone', async () => {
    const caller = new AbortController();
    const { future, seen } = pollingFuture(new FakeClock(), caller.signal);
    await future.accepted;
    await Promise.resolve();
    future.cancel();
    await expect(future).rejects.toBeInstanceOf(FutureCancelledError);
    expect(future.cancelled).toBe(true);
    expect(seen.signal?.aborted).toBe(true);
    expect(caller.signal.aborted).toBe(false);
  });

  it('polls with an aborted signal when the caller aborted before polling started', async () => {
    const caller = new AbortController();
    const reason = new Error('early');
    caller.abort(reason);
    const { future, seen } = pollingFuture(new FakeClock(), caller.signal);
    await expect(future).rejects.toBe(reason);
    expect(seen.signal?.aborted).toBe(true);
    expect(future.cancelled).toBe(false);
  });

  it("leaves no listener on the caller's signal once the futures settled", async () => {
    const caller = new AbortController();
    const futures = Array.from({ length: 20 }, () => pollingFuture(new FakeClock(), caller.signal).future);
    await Promise.all(futures.map((f) => f.accepted));
    await Promise.resolve();
    // One kernel listener however many futures share the signal.
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
    for (const f of futures) f.cancel();
    await Promise.all(futures.map((f) => f.then(undefined, () => undefined)));
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });
});

/**
 * A future whose poll subscribes to its signal as the kernel's stages do (`onAbort`), three times in a
 * row (three polls), and hangs on the third until the signal aborts.
 */
function subscribingFuture(signal?: AbortSignal) {
  const seen: { signal?: AbortSignal; listeners?: number } = {};
  const future = new APIFuture<number>(
    Promise.resolve('req-3'),
    (_id, pollSignal) => {
      seen.signal = pollSignal;
      for (let i = 0; i < 2; i++) onAbort(pollSignal, () => {})();
      return new Promise<number>((_, reject) => {
        if (pollSignal.aborted) return reject(pollSignal.reason);
        onAbort(pollSignal, () => reject(pollSignal.reason));
        seen.listeners = getEventListeners(pollSignal, 'abort').length;
      });
    },
    new FakeClock(),
    signal,
  );
  return { future, seen };
}

describe("the poll's kernel subscriptions (onAbort) on the future's signal", () => {
  it('hear cancel(), with no abort listener on that signal', async () => {
    const { future, seen } = subscribingFuture();
    await future.accepted;
    await Promise.resolve();
    expect(seen.listeners).toBe(0);
    future.cancel();
    await expect(future).rejects.toBeInstanceOf(FutureCancelledError);
    expect(seen.signal?.aborted).toBe(true);
  });

  it("hear the caller's abort, with its reason", async () => {
    const caller = new AbortController();
    const { future, seen } = subscribingFuture(caller.signal);
    await future.accepted;
    await Promise.resolve();
    const reason = new Error('caller gave up');
    caller.abort(reason);
    await expect(future).rejects.toBe(reason);
    expect(future.cancelled).toBe(false);
    expect(seen.listeners).toBe(0);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });
});

describe('a future the server has not accepted yet', () => {
  // Found by hand (round 24): `result({ timeoutMs })` on a request still queued said "Timed out after 1 ms
  // waiting for (not accepted)" and set `requestId` to the placeholder "(not accepted)", an id no server
  // ever gave.
  function unaccepted(clock: FakeClock) {
    return new APIFuture<number>(new Promise<string>(() => {}), () => new Promise<number>(() => {}), clock);
  }

  it('times out with no request id, saying the request was not accepted yet', async () => {
    const clock = new FakeClock();
    const waiting = unaccepted(clock)
      .result({ timeoutMs: 1_000 })
      .catch((e: unknown) => e);
    await clock.advance(1_000);
    const error = await waiting;
    expect(error).toBeInstanceOf(FutureTimeoutError);
    expect((error as FutureTimeoutError).requestId).toBeUndefined();
    // Made without an endpoint, it says "a request" (future-not-accepted.test.ts covers a named one).
    expect((error as Error).message).toBe(
      'Timed out after 1000 ms waiting for a request: the server had not accepted the request yet ' +
        '(no request id); it may still be accepted and run',
    );
  });

  it('is cancelled with no request id, saying it was not accepted', () => {
    // What a future cancelled while queued rejects with (the kernel's submission ends on the abort).
    const error = new FutureCancelledError(undefined, 'the client was closed');
    expect(error.requestId).toBeUndefined();
    expect(error.message).toBe(
      'The future of a request was cancelled before the server accepted it: the client was closed',
    );
  });
});
