import type { FakeClock } from 'pristine-kernel';

/** Settle `promise`, moving the test clock to each next timer while it is pending. */
export async function onTestClock<T>(promise: Promise<T>, clock: FakeClock): Promise<T> {
  const outcome = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  while ((await Promise.race([outcome, Promise.resolve(undefined)])) === undefined) {
    if (clock.pending === 0) await new Promise((resolve) => setImmediate(resolve));
    else await clock.advanceToNext();
  }
  const settled = await outcome;
  if ('error' in settled) throw settled.error;
  return settled.value;
}
