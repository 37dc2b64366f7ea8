import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { AttemptDeadline } from '../../../src/adapters/transport/attempt-deadline.js';
import { APITimeoutError, APIUserAbortError } from '../../../src/kernel/errors/api-errors.js';
import type { TransportRequest } from '../../../src/ports/transport.js';

const request = (overrides: Partial<TransportRequest> = {}): TransportRequest => ({
  method: 'GET',
  url: 'http://127.0.0.1:9/x',
  headers: {},
  timeoutMs: 1_000,
  redirect: 'follow',
  ...overrides,
});

/**
 * The deadline is what undici and got get as their signal (an `abort` emitter with `aborted` and
 * `reason`), so it must behave like one: listeners run once, in order, at the deadline or the
 * caller's abort; removed ones never run; nothing stays subscribed once the attempt is over.
 */
describe('AttemptDeadline', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('runs its abort listeners once, in order, at timeoutMs with a typed reason, and keeps none', () => {
    const deadline = new AttemptDeadline(request());
    const calls: string[] = [];
    deadline.once('abort', () => calls.push(`a:${deadline.aborted}`));
    deadline.on('abort', () => calls.push('b'));
    jest.advanceTimersByTime(999);
    expect(calls).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(calls).toEqual(['a:true', 'b']);
    expect(deadline.reason).toBeInstanceOf(APITimeoutError);
    expect(deadline.listenerCount('abort')).toBe(0);
    jest.advanceTimersByTime(10_000);
    expect(calls).toEqual(['a:true', 'b']);
  });

  it('never runs a removed listener, and a released deadline never fires', () => {
    const deadline = new AttemptDeadline(request());
    const removed = jest.fn();
    const kept = jest.fn();
    deadline.once('abort', removed);
    deadline.once('abort', kept);
    deadline.removeListener('abort', removed);
    expect(deadline.listenerCount('abort')).toBe(1);
    jest.advanceTimersByTime(1_000);
    expect(removed).not.toHaveBeenCalled();
    expect(kept).toHaveBeenCalledTimes(1);

    const released = new AttemptDeadline(request());
    const late = jest.fn();
    released.once('abort', late);
    released.release();
    jest.advanceTimersByTime(5_000);
    expect(late).not.toHaveBeenCalled();
    expect(released.aborted).toBe(false);
  });

  it('ends at once on the caller abort, and unsubscribes from the caller signal when released', () => {
    const controller = new AbortController();
    const deadline = new AttemptDeadline(request({ signal: controller.signal }));
    const listener = jest.fn();
    deadline.on('abort', listener);
    const why = new Error('the caller gave up');
    controller.abort(why);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(deadline.reason).toBeInstanceOf(APIUserAbortError);
    expect(deadline.reason!.cause).toBe(why);
    expect(jest.getTimerCount()).toBe(0); // its timer went with it

    const other = new AbortController();
    const released = new AttemptDeadline(request({ signal: other.signal }));
    released.release();
    other.abort();
    expect(released.aborted).toBe(false);
  });

  it('leaves no listener behind once a race settles, and rejects a pending race at the deadline', async () => {
    const deadline = new AttemptDeadline(request());
    await expect(deadline.race(Promise.resolve('ok'))).resolves.toBe('ok');
    await expect(deadline.race(Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(deadline.listenerCount('abort')).toBe(0);

    // A pending race is no `abort` listener (a library's own listeners are all the list holds).
    const library = jest.fn();
    deadline.once('abort', library);
    const pending = deadline.race(new Promise<string>(() => {}));
    expect(deadline.listenerCount('abort')).toBe(1);
    jest.advanceTimersByTime(1_000);
    await expect(pending).rejects.toBeInstanceOf(APITimeoutError);
    expect(library).toHaveBeenCalledTimes(1);
    expect(deadline.listenerCount('abort')).toBe(0);
  });

  it('answers each race of an attempt in turn, the pending one at the deadline, with context and deadline', async () => {
    const req = request();
    const deadline = new AttemptDeadline(req);
    const seen: unknown[] = [];
    const context = { name: 'transport' };
    function onValue(this: typeof context, value: number, d: AttemptDeadline) {
      seen.push([this.name, value, d === deadline]);
      return value + 1;
    }
    function onError(this: typeof context, error: unknown, d: AttemptDeadline): never {
      seen.push([this.name, (error as Error).name, d === deadline]);
      throw error;
    }
    await expect(deadline.raceThen(Promise.resolve(1), onValue, onError, undefined, context)).resolves.toBe(
      2,
    );
    await expect(deadline.raceThen(Promise.resolve(2), onValue, onError, undefined, context)).resolves.toBe(
      3,
    );
    let arrive!: (value: number) => void;
    const third = deadline.raceThen(
      new Promise<number>((resolve) => (arrive = resolve)),
      onValue,
      onError,
      undefined,
      context,
    );
    expect(req.heldUntil).toBeUndefined();
    jest.advanceTimersByTime(1_000);
    await expect(third).rejects.toBeInstanceOf(APITimeoutError);
    // The library still holds the third exchange until its promise settles.
    expect(req.heldUntil).toBeInstanceOf(Promise);
    arrive(3);
    await req.heldUntil;
    expect(seen).toEqual([
      ['transport', 1, true],
      ['transport', 2, true],
      ['transport', 'APITimeoutError', true],
    ]);
  });

  it('race passes the very error through, and hands a value arriving after the deadline to discard', async () => {
    const deadline = new AttemptDeadline(request());
    const boom = new Error('boom');
    await expect(deadline.race(Promise.reject(boom))).rejects.toBe(boom);

    let arrive!: (value: string) => void;
    const late = new Promise<string>((resolve) => (arrive = resolve));
    const discard = jest.fn();
    const raced = deadline.race(late, discard);
    jest.advanceTimersByTime(1_000);
    await expect(raced).rejects.toBeInstanceOf(APITimeoutError);
    arrive('too late');
    await late;
    await Promise.resolve();
    expect(discard).toHaveBeenCalledWith('too late');

    // Already over: rejects with the same reason at once, and a value that still comes is discarded.
    const again = jest.fn();
    await expect(deadline.race(Promise.resolve('v'), again)).rejects.toBe(deadline.reason);
    await Promise.resolve();
    expect(again).toHaveBeenCalledWith('v');
  });

  it('raceThen maps a value or an error in one step, and a throw from either rejects', async () => {
    const deadline = new AttemptDeadline(request());
    const twice = (n: number) => n * 2;
    const wrapped = (error: unknown) => {
      throw new Error(`wrapped: ${(error as Error).message}`);
    };
    await expect(deadline.raceThen(Promise.resolve(21), twice, wrapped)).resolves.toBe(42);
    await expect(deadline.raceThen(Promise.reject(new Error('boom')), twice, wrapped)).rejects.toThrow(
      'wrapped: boom',
    );
    const badValue = () => {
      throw new Error('bad value');
    };
    await expect(deadline.raceThen(Promise.resolve(1), badValue, wrapped)).rejects.toThrow('bad value');
    await expect(deadline.raceThen(Promise.reject(new Error('x')), twice, () => -1)).resolves.toBe(-1);
    expect(deadline.listenerCount('abort')).toBe(0);
  });

  it('raceThen hands the deadline reason to onError and a late value to discard, once', async () => {
    const deadline = new AttemptDeadline(request());
    let arrive!: (value: string) => void;
    const late = new Promise<string>((resolve) => (arrive = resolve));
    const onValue = jest.fn((value: string) => value);
    const discard = jest.fn();
    const raced = deadline.raceThen(late, onValue, (error) => Promise.reject(error), discard);
    jest.advanceTimersByTime(1_000);
    await expect(raced).rejects.toBeInstanceOf(APITimeoutError);
    arrive('too late');
    await late;
    await Promise.resolve();
    expect(onValue).not.toHaveBeenCalled();
    expect(discard).toHaveBeenCalledWith('too late');
    expect(deadline.listenerCount('abort')).toBe(0);

    // Already over before the race starts: onError at once, the value (when it comes) discarded.
    const again = jest.fn();
    await expect(
      deadline.raceThen(Promise.resolve('v'), onValue, (error) => `handled ${(error as Error).name}`, again),
    ).resolves.toBe('handled APITimeoutError');
    await Promise.resolve();
    expect(again).toHaveBeenCalledWith('v');
    expect(onValue).not.toHaveBeenCalled();
  });

  it('raceThen does not map a late failure once the deadline has answered', async () => {
    const deadline = new AttemptDeadline(request());
    let fail!: (error: Error) => void;
    const late = new Promise<string>((_resolve, reject) => (fail = reject));
    const onError = jest.fn((error: unknown) => `handled ${(error as Error).name}`);
    const raced = deadline.raceThen(late, (value) => value, onError);
    jest.advanceTimersByTime(1_000);
    await expect(raced).resolves.toBe('handled APITimeoutError');
    // The transport's onError releases the attempt and builds a typed error: once per attempt.
    fail(new Error('socket closed after the timeout'));
    await late.catch(() => undefined);
    await Promise.resolve();
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('takes no listener once the attempt is over: it would never run, only stay', () => {
    const deadline = new AttemptDeadline(request({ signal: AbortSignal.abort() }));
    expect(deadline.aborted).toBe(true);
    deadline.on('abort', () => {});
    deadline.once('abort', () => {});
    expect(deadline.listenerCount('abort')).toBe(0);
  });

  it('says the library holds every exchange it gave up on until the last one lets go', async () => {
    const req = request();
    const deadline = new AttemptDeadline(req);
    let letFirstGo!: (value: string) => void;
    let letSecondGo!: (value: string) => void;
    const first = deadline.race(new Promise<string>((resolve) => (letFirstGo = resolve)));
    jest.advanceTimersByTime(1_000);
    await expect(first).rejects.toBeInstanceOf(APITimeoutError);
    const second = deadline.race(new Promise<string>((resolve) => (letSecondGo = resolve)));
    await expect(second).rejects.toBeInstanceOf(APITimeoutError);
    let heldUntil = 'held';
    void req.heldUntil!.then(() => (heldUntil = 'let go'));
    letSecondGo('late');
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(heldUntil).toBe('held'); // the first exchange is still out
    letFirstGo('later');
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(heldUntil).toBe('let go');
  });

  it('removes the latest of a listener added twice, as an EventEmitter does', () => {
    const deadline = new AttemptDeadline(request());
    const calls: string[] = [];
    const a = () => calls.push('a');
    deadline.on('abort', a);
    deadline.on('abort', () => calls.push('b'));
    deadline.on('abort', a);
    deadline.removeListener('abort', a);
    jest.advanceTimersByTime(1_000);
    expect(calls).toEqual(['a', 'b']);
  });
});
