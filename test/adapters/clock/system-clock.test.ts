import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { SystemClock } from '../../../src/adapters/clock/system-clock.js';
import { APIUserAbortError } from '../../../src/kernel/errors/api-errors.js';

describe('SystemClock', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2025-01-01T00:00:00Z') });
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('reads Date.now()', () => {
    expect(new SystemClock().now()).toBe(Date.parse('2025-01-01T00:00:00Z'));
  });

  it('sleeps for the given time, then leaves no timer or abort listener', async () => {
    const clock = new SystemClock();
    const controller = new AbortController();
    let done = false;
    const sleeping = clock.sleep(1000, controller.signal).then(() => (done = true));
    jest.advanceTimersByTime(999);
    await Promise.resolve();
    expect(done).toBe(false);
    jest.advanceTimersByTime(1);
    await sleeping;
    expect(jest.getTimerCount()).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects at once on abort with APIUserAbortError carrying the reason, and clears its timer', async () => {
    const clock = new SystemClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(60_000, controller.signal);
    expect(jest.getTimerCount()).toBe(1);
    const reason = new Error('user cancelled');
    controller.abort(reason);
    const error = await sleeping.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect((error as Error).cause).toBe(reason);
    expect(jest.getTimerCount()).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects without scheduling anything when the signal is already aborted', async () => {
    const clock = new SystemClock();
    const error = await clock.sleep(10, AbortSignal.abort('gone')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect((error as Error).cause).toBe('gone');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('chains timers for sleeps longer than Node allows (they would otherwise fire after 1 ms)', async () => {
    const clock = new SystemClock();
    const day = 24 * 60 * 60 * 1000;
    let done = false;
    const sleeping = clock.sleep(30 * day).then(() => (done = true));
    jest.advanceTimersByTime(2 ** 31);
    await Promise.resolve();
    expect(done).toBe(false);
    jest.advanceTimersByTime(30 * day - 2 ** 31);
    await sleeping;
    expect(done).toBe(true);
  });

  it('runs `after` once at its deadline, across the 2^31-1 ms timer limit, and not at all when cancelled', () => {
    const clock = new SystemClock();
    const fired = jest.fn();
    clock.after(3 * 2 ** 31, fired);
    jest.advanceTimersByTime(3 * 2 ** 31 - 1);
    expect(fired).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
    const cancelled = jest.fn();
    const cancel = clock.after(1000, cancelled);
    jest.advanceTimersByTime(500);
    cancel();
    jest.advanceTimersByTime(10_000);
    expect(cancelled).not.toHaveBeenCalled();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('repeats `every` until cancelled', () => {
    const clock = new SystemClock();
    const fn = jest.fn();
    const cancel = clock.every(100, fn);
    jest.advanceTimersByTime(350);
    expect(fn).toHaveBeenCalledTimes(3);
    cancel();
    jest.advanceTimersByTime(1000);
    expect(fn).toHaveBeenCalledTimes(3);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('unrefs `every` timers so they never keep the process alive', () => {
    jest.useRealTimers();
    const spy = jest.spyOn(globalThis, 'setInterval');
    const cancel = new SystemClock().every(60_000, () => {});
    const timer = spy.mock.results[0].value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    cancel();
  });
});
