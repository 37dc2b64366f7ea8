import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { APIUserAbortError } from '../../../src/kernel/errors/api-errors.js';

describe('FakeClock', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('steps its wall clock without moving monotonic time or running timers; advance moves both', async () => {
    const clock = new FakeClock(1_000_000);
    let woke = false;
    void clock.sleep(1_000).then(() => (woke = true));
    clock.stepWall(-3_600_000);
    expect([clock.now(), clock.monotonic()]).toEqual([1_000_000 - 3_600_000, 0]);
    await clock.advance(999);
    expect(woke).toBe(false); // timers wait on monotonic time: the step neither fired nor delayed it
    await clock.advance(1);
    expect(woke).toBe(true);
    expect([clock.now(), clock.monotonic()]).toEqual([1_000_000 - 3_600_000 + 1_000, 1_000]);
    clock.stepWall(7_200_000);
    expect([clock.now(), clock.monotonic()]).toEqual([1_000_000 + 3_600_000 + 1_000, 1_000]);
    expect(clock.pending).toBe(0);
  });

  it('moves only when advanced, and runs due sleepers in due order (ties in scheduling order)', async () => {
    const clock = new FakeClock(1_000);
    const order: string[] = [];
    void clock.sleep(30).then(() => order.push('c'));
    void clock.sleep(10).then(() => order.push('a'));
    void clock.sleep(10).then(() => order.push('b'));
    expect(clock.pending).toBe(3);
    await clock.advance(9);
    expect(order).toEqual([]);
    expect(clock.now()).toBe(1_009);
    await clock.advance(1);
    expect(order).toEqual(['a', 'b']);
    await clock.advance(100);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(clock.now()).toBe(1_110);
    expect(clock.pending).toBe(0);
  });

  it('drains microtasks between timers, so chained sleeps complete in one advance at their own times', async () => {
    const clock = new FakeClock(0);
    const wakes: number[] = [];
    const chain = (async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(10);
        await Promise.resolve(); // extra hops must not matter
        wakes.push(clock.now());
      }
    })();
    await clock.advance(25);
    expect(wakes).toEqual([10, 20]);
    await clock.advance(5);
    await chain;
    expect(wakes).toEqual([10, 20, 30]);
  });

  it('rejects an aborted sleep with APIUserAbortError (cause = reason) and drops its timer', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(1000, controller.signal);
    expect(clock.pending).toBe(1);
    controller.abort('stop');
    const error = await sleeping.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect((error as Error).cause).toBe('stop');
    expect(clock.pending).toBe(0);
    await expect(clock.sleep(1, AbortSignal.abort())).rejects.toBeInstanceOf(APIUserAbortError);
    expect(clock.pending).toBe(0);
  });

  it('runs `every` at each interval until cancelled', async () => {
    const clock = new FakeClock(0);
    const at: number[] = [];
    const cancel = clock.every(100, () => at.push(clock.now()));
    await clock.advance(350);
    expect(at).toEqual([100, 200, 300]);
    cancel();
    expect(clock.pending).toBe(0);
    await clock.advance(1000);
    expect(at).toEqual([100, 200, 300]);
  });

  it('runs `after` at its due time, in order with sleeps, and drops it when cancelled', async () => {
    const clock = new FakeClock();
    const order: string[] = [];
    const clock0 = clock.now();
    clock.after(200, () => order.push(`after@${clock.now() - clock0}`));
    void clock.sleep(100).then(() => order.push(`sleep@${clock.now() - clock0}`));
    const cancel = clock.after(150, () => order.push('cancelled'));
    cancel();
    expect(clock.pending).toBe(2);
    await clock.advance(1000);
    expect(order).toEqual(['sleep@100', 'after@200']);
    expect(clock.pending).toBe(0);
  });

  it('advanceToNext jumps exactly to the earliest timer', async () => {
    const clock = new FakeClock(0);
    let woke = false;
    void clock.sleep(1234).then(() => (woke = true));
    await clock.advanceToNext();
    expect(woke).toBe(true);
    expect(clock.now()).toBe(1234);
  });

  it('still drives time when a test has Jest fake timers installed', async () => {
    jest.useFakeTimers();
    const clock = new FakeClock(0);
    let woke = false;
    void clock.sleep(50).then(() => (woke = true));
    await clock.advance(50);
    expect(woke).toBe(true);
  });
});
