import { describe, expect, it } from '@jest/globals';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { APIFuture } from '../../../src/kernel/futures/api-future.js';

/** A submission the test accepts (or refuses) when it says so. */
function pendingSubmission() {
  let accept!: (id: string) => void;
  let refuse!: (error: Error) => void;
  const accepted = new Promise<string>((resolve, reject) => {
    accept = resolve;
    refuse = reject;
  });
  return { accepted, accept, refuse };
}

describe('APIFuture.accepted', () => {
  it('has recorded the request id by the time any handler on `accepted` runs, however it is awaited', async () => {
    const clock = new FakeClock();
    const { accepted, accept } = pendingSubmission();
    const polled: string[] = [];
    const future = new APIFuture<number>(
      accepted,
      (id) => {
        polled.push(id);
        return Promise.resolve(1);
      },
      clock,
    );
    const seen: (string | undefined)[] = [];
    // Registered before and after acceptance, through `then` and `await`.
    void future.accepted.then(() => seen.push(future.requestId));
    const awaited = (async () => {
      await future.accepted;
      seen.push(future.request_id);
    })();
    expect(future.requestId).toBeUndefined();
    accept('req-7');
    await expect(future.accepted).resolves.toBe('req-7');
    await awaited;
    void future.accepted.then(() => seen.push(future.requestId));
    await future.accepted;
    expect(seen).toEqual(['req-7', 'req-7', 'req-7']);
    await expect(future).resolves.toBe(1);
    expect(polled).toEqual(['req-7']);
  });

  it('a refused submission rejects `accepted` and the future with the same error, and never polls', async () => {
    const clock = new FakeClock();
    const { accepted, refuse } = pendingSubmission();
    let polls = 0;
    const future = new APIFuture<number>(
      accepted,
      () => {
        polls++;
        return Promise.resolve(1);
      },
      clock,
    );
    const error = new Error('refused');
    refuse(error);
    await expect(future.accepted).rejects.toBe(error);
    await expect(future).rejects.toBe(error);
    expect(future.requestId).toBeUndefined();
    expect(polls).toBe(0);
  });
});

describe('APIFuture.rejected', () => {
  it('fails both as a result and as an acceptance, with the error given, and never polls', async () => {
    const error = new Error('bad input, nothing sent');
    const future = APIFuture.rejected<number>(error, new FakeClock());
    await expect(future).rejects.toBe(error);
    await expect(future.accepted).rejects.toBe(error);
    await expect(future.result()).rejects.toBe(error);
  });
});
