import { describe, expect, it } from '@jest/globals';
import { APIConnectionError, FakeClock } from 'pristine-kernel';
import { ProgressWatch, type Stall } from '../../src/client/sampling-progress.js';

/** A request that never answers: it rejects with the signal's reason once aborted. */
const hanging = (signal: AbortSignal) =>
  new Promise<never>((_, reject) =>
    signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
  );

/** A watch failing after 2 s without progress that notices a stall after 100 ms, then every 500 ms. */
function stallWatch(retried?: () => { error: unknown; at: number } | undefined) {
  const clock = new FakeClock();
  const notices: Stall[] = [];
  const watch = new ProgressWatch(clock, 2_000, undefined, {
    afterMs: 100,
    everyMs: 500,
    notice: (stall) => notices.push(stall),
    retried,
  });
  return { clock, notices, watch };
}

describe('ProgressWatch (the Python RetryHandler stuck detection)', () => {
  it('fails a request only when no request of the sampler completed for the timeout', async () => {
    const clock = new FakeClock();
    const watch = new ProgressWatch(clock, 1_000);
    let settled = false;
    const straggler = watch
      .run(hanging, () => new Error('last attempt: 503'))
      .finally(() => (settled = true));
    straggler.catch(() => {});
    let finish!: (value: string) => void;
    const sibling = watch.run(() => new Promise<string>((resolve) => (finish = resolve)));
    await clock.advance(600);
    finish('done'); // progress at t = 600: the straggler's deadline moves to 1 600
    expect(await sibling).toBe('done');
    await clock.advance(900);
    expect(settled).toBe(false);
    await clock.advance(200);
    const error = await straggler.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as Error).message).toBe('No progress made in 1s. Requests appear to be stuck.');
    expect(((error as Error).cause as Error).message).toBe('last attempt: 503');
    expect(clock.pending).toBe(0);
  });

  it('a wall clock stepped back an hour does not keep a stuck request waiting an hour longer', async () => {
    const clock = new FakeClock();
    const watch = new ProgressWatch(clock, 1_000);
    const straggler = watch.run(hanging);
    straggler.catch(() => {});
    let finish!: (value: string) => void;
    const sibling = watch.run(() => new Promise<string>((resolve) => (finish = resolve)));
    await clock.advance(600);
    finish('done'); // progress at t = 600: the straggler fails at 1 600 unless more comes
    expect(await sibling).toBe('done');
    await clock.advance(100);
    clock.stepWall(-3_600_000);
    await clock.advance(900);
    await expect(straggler).rejects.toBeInstanceOf(APIConnectionError);
    expect(clock.pending).toBe(0);
  });

  it('restarts the clock when a request enters an idle sampler, and leaves other errors alone', async () => {
    const clock = new FakeClock();
    const watch = new ProgressWatch(clock, 1_000);
    await expect(watch.run(async () => 1)).resolves.toBe(1);
    await clock.advance(5_000); // idle: no request to fail
    const late = watch.run(hanging);
    late.catch(() => {});
    await clock.advance(999);
    await expect(watch.run(async () => Promise.reject(new RangeError('bad')))).rejects.toBeInstanceOf(
      RangeError,
    );
    await clock.advance(1);
    await expect(late).rejects.toBeInstanceOf(APIConnectionError);
  });

  it('runs every request in progress under one signal and one timer, and fails them together', async () => {
    const clock = new FakeClock();
    const watch = new ProgressWatch(clock, 1_000, 'http://tinker.test');
    const signals: AbortSignal[] = [];
    const runs = Array.from({ length: 3 }, () =>
      watch.run((signal) => {
        signals.push(signal);
        return hanging(signal);
      }),
    );
    for (const run of runs) run.catch(() => {});
    expect(new Set(signals).size).toBe(1);
    expect(clock.pending).toBe(1);
    await clock.advance(1_000);
    for (const run of runs) {
      await expect(run).rejects.toThrow(
        'No progress made in 1s. Requests to http://tinker.test appear to be stuck.',
      );
    }
    expect(clock.pending).toBe(0);
  });

  it('keeps its signal across idle periods until it aborts (no timer while idle)', async () => {
    const clock = new FakeClock();
    const watch = new ProgressWatch(clock, 1_000);
    const signals: AbortSignal[] = [];
    const seen = (signal: AbortSignal) => {
      signals.push(signal);
      return Promise.resolve(signals.length);
    };
    await expect(watch.run(seen)).resolves.toBe(1);
    expect(clock.pending).toBe(0);
    await clock.advance(5_000);
    await expect(watch.run(seen)).resolves.toBe(2);
    // The signal of the next burst is the same object (code specialized on its map stays valid).
    expect(signals[1]).toBe(signals[0]);
    expect(signals[0].aborted).toBe(false);
    const late = watch.run(hanging);
    late.catch(() => {});
    await clock.advance(1_000);
    await expect(late).rejects.toBeInstanceOf(APIConnectionError);
    await expect(watch.run(seen)).resolves.toBe(3);
    expect(signals[2]).not.toBe(signals[0]);
    expect(clock.pending).toBe(0);
  });

  it('gives the next request a fresh signal once the sampler was stuck', async () => {
    const clock = new FakeClock();
    const watch = new ProgressWatch(clock, 1_000);
    const stuck = watch.run(hanging);
    stuck.catch(() => {});
    await clock.advance(1_000);
    await expect(stuck).rejects.toBeInstanceOf(APIConnectionError);
    let finish!: (value: string) => void;
    const next = watch.run((signal) => {
      expect(signal.aborted).toBe(false);
      return new Promise<string>((resolve) => (finish = resolve));
    });
    await clock.advance(999);
    finish('ok');
    await expect(next).resolves.toBe('ok');
    expect(clock.pending).toBe(0);
  });

  it('reports a stall after afterMs without progress, then every everyMs, and starts over on progress', async () => {
    const { clock, notices, watch } = stallWatch();
    const cause = new Error('last attempt: ECONNREFUSED');
    const stuck = watch.run(hanging, () => cause);
    stuck.catch(() => {});
    await clock.advance(99);
    expect(notices).toHaveLength(0);
    await clock.advance(1);
    expect(notices).toEqual([{ stalledMs: 100, inProgress: 1, lastError: cause, failsInMs: 1_900 }]);
    await clock.advance(499);
    expect(notices).toHaveLength(1);
    await clock.advance(1);
    expect(notices[1]).toMatchObject({ stalledMs: 600, failsInMs: 1_400 });
    // Progress at t = 600: the stall starts over. 100 ms of it would be enough, but notices keep their
    // pace: the next is at t = 1 100, 500 ms into the new stall.
    await watch.run(async () => 'done');
    await clock.advance(499);
    expect(notices).toHaveLength(2);
    await clock.advance(1);
    expect(notices[2]).toMatchObject({ stalledMs: 500, failsInMs: 1_500 });
    await clock.advance(2_000);
    await expect(stuck).rejects.toBeInstanceOf(APIConnectionError);
    expect(clock.pending).toBe(0);
  });

  it('says nothing while some request completes at least every afterMs', async () => {
    const { clock, notices, watch } = stallWatch();
    const slow = watch.run(hanging);
    slow.catch(() => {});
    for (let t = 0; t < 1_000; t += 90) {
      await clock.advance(90);
      await watch.run(async () => t);
    }
    expect(notices).toEqual([]);
    await clock.advance(100);
    expect(notices).toHaveLength(1);
    await clock.advance(2_000);
    await expect(slow).rejects.toBeInstanceOf(APIConnectionError);
  });

  it("names a transport retry's failure newer than the last progress, while the attempt has no error yet", async () => {
    let retry: { error: unknown; at: number } | undefined;
    const { clock, notices, watch } = stallWatch(() => retry);
    const refused = new Error('Connection error: POST http://127.0.0.1:1 ECONNREFUSED');
    // A retry before the request entered (the stall's start) is old news: not named.
    retry = { error: new Error('stale 503'), at: clock.monotonic() - 1 };
    const stuck = watch.run(hanging, () => undefined);
    stuck.catch(() => {});
    await clock.advance(100);
    expect(notices[0].lastError).toBeUndefined();
    // The attempt's transport retries are failing: the notice names the latest one.
    retry = { error: refused, at: clock.monotonic() };
    await clock.advance(500);
    expect(notices[1].lastError).toBe(refused);
    await clock.advance(2_000);
    await expect(stuck).rejects.toBeInstanceOf(APIConnectionError);
  });

  it("prefers the attempt's own error when no retry happened since the last progress", async () => {
    const cause = new Error('last attempt: 503');
    const { clock, notices, watch } = stallWatch(() => ({ error: new Error('older retry'), at: -1 }));
    const stuck = watch.run(hanging, () => cause);
    stuck.catch(() => {});
    await clock.advance(100);
    expect(notices[0].lastError).toBe(cause);
    await clock.advance(2_000);
    await expect(stuck).rejects.toBeInstanceOf(APIConnectionError);
  });

  it('enter / succeeded / failed: the steps of run, for a caller settling its request itself', async () => {
    const { clock, notices, watch } = stallWatch();
    const latest = { lastError: () => new Error('last attempt: 429') };
    const [first, second, third] = [watch.enter(latest), watch.enter(latest), watch.enter(latest)];
    expect(new Set([first, second, third]).size).toBe(1);
    await clock.advance(60);
    watch.succeeded(); // progress at t = 60: the deadline moves to 2 060
    const unrelated = new RangeError('bad');
    expect(watch.failed(unrelated, third, latest)).toBe(unrelated);
    expect(clock.pending).toBe(1); // the first request is still in progress
    await clock.advance(99);
    expect(notices).toHaveLength(0);
    await clock.advance(1);
    expect(notices[0].lastError).toEqual(new Error('last attempt: 429'));
    expect(notices[0].inProgress).toBe(1);
    await clock.advance(1_899);
    expect(first.aborted).toBe(false);
    await clock.advance(1);
    expect(first.aborted).toBe(true);
    const failure = watch.failed(new Error('aborted'), first, latest);
    expect(failure).toBeInstanceOf(APIConnectionError);
    expect(((failure as Error).cause as Error).message).toBe('last attempt: 429');
    expect(clock.pending).toBe(0);
  });
});
