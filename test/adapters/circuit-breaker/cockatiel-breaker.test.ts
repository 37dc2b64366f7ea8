import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { CockatielBreakerRegistry } from '../../../src/adapters/circuit-breaker/cockatiel-breaker.js';
import { APIUserAbortError, CircuitOpenError } from '../../../src/kernel/errors/api-errors.js';
import type { BreakerStateChange } from '../../../src/ports/circuit-breaker.js';

// cockatiel measures halfOpenAfter with Date.now() on the next call (no timer): Jest's fake clock
// makes that deterministic.
class ServerError extends Error {}
class ClientError extends Error {}
const isServerError = (e: unknown) => e instanceof ServerError;
const settings = { consecutiveFailures: 3, halfOpenAfterMs: 10_000 };

const ok = async () => 'ok';
const serverFails = async (): Promise<string> => {
  throw new ServerError('503');
};
const clientFails = async (): Promise<string> => {
  throw new ClientError('404');
};

function setup() {
  const registry = new CockatielBreakerRegistry();
  const changes: string[] = [];
  registry.onStateChange((c: BreakerStateChange) => changes.push(`${c.key}:${c.from}->${c.to}`));
  const run = (fn: () => Promise<string>, key = 'k') => registry.execute(key, settings, fn, isServerError);
  const fail = async (times: number, key = 'k') => {
    for (let i = 0; i < times; i++) await expect(run(serverFails, key)).rejects.toBeInstanceOf(ServerError);
  };
  return { registry, changes, run, fail };
}

describe('CockatielBreakerRegistry (consecutive failures)', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('opens after N consecutive failures and then fails fast without calling fn', async () => {
    const { registry, changes, run, fail } = setup();
    await fail(2);
    expect(registry.state('k')).toBe('closed');
    await fail(1);
    expect(registry.state('k')).toBe('open');
    const fn = jest.fn(ok);
    for (let i = 0; i < 5; i++) await expect(run(fn)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(fn).not.toHaveBeenCalled();
    expect(changes).toEqual(['k:closed->open']);
  });

  it('lets one trial through after halfOpenAfterMs; its success closes the breaker with a fresh count', async () => {
    const { registry, changes, run, fail } = setup();
    await fail(3);
    jest.advanceTimersByTime(9_999);
    await expect(run(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    jest.advanceTimersByTime(1);
    await expect(run(ok)).resolves.toBe('ok');
    expect(registry.state('k')).toBe('closed');
    expect(changes).toEqual(['k:closed->open', 'k:open->half-open', 'k:half-open->closed']);
    await fail(2);
    expect(registry.state('k')).toBe('closed');
  });

  // Jest's setSystemTime moves Date.now() only; performance.now() (SystemClock.monotonic) stays.
  it('a wall clock stepped back an hour does not keep the breaker open an hour longer', async () => {
    const { registry, run, fail } = setup();
    await fail(3);
    jest.setSystemTime(Date.now() - 3_600_000);
    jest.advanceTimersByTime(9_999);
    await expect(run(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    jest.advanceTimersByTime(1);
    await expect(run(ok)).resolves.toBe('ok');
    expect(registry.state('k')).toBe('closed');
  });

  it('a wall clock stepped forward does not let the trial through before halfOpenAfterMs', async () => {
    const { registry, run, fail } = setup();
    await fail(3);
    jest.setSystemTime(Date.now() + 3_600_000);
    const fn = jest.fn(ok);
    await expect(run(fn)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(fn).not.toHaveBeenCalled();
    expect(registry.state('k')).toBe('open');
    jest.advanceTimersByTime(10_000);
    await expect(run(fn)).resolves.toBe('ok');
  });

  it('reopens when the trial fails, for another full halfOpenAfterMs', async () => {
    const { registry, changes, run, fail } = setup();
    await fail(3);
    jest.advanceTimersByTime(10_000);
    await fail(1); // the trial
    expect(registry.state('k')).toBe('open');
    jest.advanceTimersByTime(9_999);
    await expect(run(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    jest.advanceTimersByTime(1);
    await expect(run(ok)).resolves.toBe('ok');
    expect(changes).toEqual([
      'k:closed->open',
      'k:open->half-open',
      'k:half-open->open',
      'k:open->half-open',
      'k:half-open->closed',
    ]);
  });

  it('fails other calls fast while the trial is in flight', async () => {
    const { run, fail } = setup();
    await fail(3);
    jest.advanceTimersByTime(10_000);
    let finishTrial!: (v: string) => void;
    const trial = run(() => new Promise<string>((resolve) => (finishTrial = resolve)));
    const other = jest.fn(ok);
    await expect(run(other)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(other).not.toHaveBeenCalled();
    finishTrial('done');
    await expect(trial).resolves.toBe('done');
    await expect(run(other)).resolves.toBe('ok');
  });

  it('never opens on errors the predicate does not count, and passes them through unchanged', async () => {
    const { registry, changes, run } = setup();
    const error = new ClientError('422');
    for (let i = 0; i < 50; i++) {
      await expect(
        run(async () => {
          throw error;
        }),
      ).rejects.toBe(error);
    }
    expect(registry.state('k')).toBe('closed');
    expect(changes).toEqual([]);
  });

  it('treats uncounted errors as neutral: they do not reset the consecutive count (a success does)', async () => {
    const { registry, run, fail } = setup();
    await fail(2);
    await expect(run(clientFails)).rejects.toBeInstanceOf(ClientError);
    await fail(1);
    expect(registry.state('k')).toBe('open'); // 3 server failures with a 4xx between them

    const second = setup();
    await second.fail(2);
    await second.run(ok);
    await second.fail(2);
    expect(second.registry.state('k')).toBe('closed');
  });

  it('closes on a trial that ends in an uncounted error, and starts a fresh count', async () => {
    const { registry, changes, run, fail } = setup();
    await fail(3);
    jest.advanceTimersByTime(10_000);
    await expect(run(clientFails)).rejects.toBeInstanceOf(ClientError);
    expect(registry.state('k')).toBe('closed');
    // cockatiel alone keeps the old count here, so this single failure would reopen the breaker.
    await fail(1);
    expect(registry.state('k')).toBe('closed');
    expect(changes).toEqual(['k:closed->open', 'k:open->half-open', 'k:half-open->closed']);
  });

  it("applies each call's own predicate, even when calls overlap", async () => {
    const registry = new CockatielBreakerRegistry();
    const one = { consecutiveFailures: 1, halfOpenAfterMs: 1000 };
    let failCounted!: () => void;
    const counted = registry.execute(
      'k',
      one,
      () => new Promise<string>((_, reject) => (failCounted = () => reject(new ServerError('500')))),
      () => true,
    );
    // A second call with a predicate that counts nothing starts before the first one fails.
    await expect(registry.execute('k', one, clientFails, () => false)).rejects.toBeInstanceOf(ClientError);
    failCounted();
    await expect(counted).rejects.toBeInstanceOf(ServerError);
    expect(registry.state('k')).toBe('open');
  });

  it('counts a synchronous throw of fn as a failure, as a rejection', async () => {
    const { registry, run } = setup();
    const throwsNow = (): Promise<string> => {
      throw new ServerError('sync');
    };
    for (let i = 0; i < 3; i++) await expect(run(throwsNow)).rejects.toBeInstanceOf(ServerError);
    expect(registry.state('k')).toBe('open');
  });

  it('a call that started closed and fails once the breaker is open neither reopens nor delays the trial', async () => {
    const registry = new CockatielBreakerRegistry();
    const changes: string[] = [];
    registry.onStateChange((c) => changes.push(`${c.from}->${c.to}`));
    const one = { consecutiveFailures: 1, halfOpenAfterMs: 10_000 };
    let failSlow!: () => void;
    const slow = registry.execute(
      'k',
      one,
      () => new Promise<string>((_, reject) => (failSlow = () => reject(new ServerError('late')))),
      isServerError,
    );
    await expect(registry.execute('k', one, serverFails, isServerError)).rejects.toBeInstanceOf(ServerError);
    expect(registry.state('k')).toBe('open');
    jest.advanceTimersByTime(6_000);
    failSlow();
    await expect(slow).rejects.toBeInstanceOf(ServerError);
    jest.advanceTimersByTime(4_000); // 10 s after the first failure opened it, not after the late one
    await expect(registry.execute('k', one, ok, isServerError)).resolves.toBe('ok');
    expect(changes).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
  });

  it('a call that started closed and fails during the trial reopens the breaker, as cockatiel counts it', async () => {
    const registry = new CockatielBreakerRegistry();
    const changes: string[] = [];
    registry.onStateChange((c) => changes.push(`${c.from}->${c.to}`));
    const two = { consecutiveFailures: 2, halfOpenAfterMs: 10_000 };
    const run = (fn: () => Promise<string>) => registry.execute('k', two, fn, isServerError);
    let failSlow!: () => void;
    const slow = run(
      () => new Promise<string>((_, reject) => (failSlow = () => reject(new ServerError('late')))),
    );
    await expect(run(serverFails)).rejects.toBeInstanceOf(ServerError);
    await expect(run(serverFails)).rejects.toBeInstanceOf(ServerError);
    jest.advanceTimersByTime(10_000);
    let finishTrial!: (v: string) => void;
    const trial = run(() => new Promise<string>((resolve) => (finishTrial = resolve)));
    failSlow(); // the third consecutive failure, reported in the closed state it started in
    await expect(slow).rejects.toBeInstanceOf(ServerError);
    expect(registry.state('k')).toBe('open');
    // The trial's success no longer closes it: the breaker opened again meanwhile.
    finishTrial('done');
    await expect(trial).resolves.toBe('done');
    expect(registry.state('k')).toBe('open');
    expect(changes).toEqual(['closed->open', 'open->half-open', 'half-open->open']);
  });

  it('keeps keys independent', async () => {
    const { registry, run, fail } = setup();
    await fail(3, 'a');
    expect(registry.state('a')).toBe('open');
    expect(registry.state('b')).toBeUndefined();
    await expect(run(ok, 'b')).resolves.toBe('ok');
    expect(registry.state('b')).toBe('closed');
  });

  it('does not spend a call whose signal is already aborted', async () => {
    const { registry } = setup();
    const fn = jest.fn(ok);
    await expect(
      registry.execute('k', settings, fn, isServerError, AbortSignal.abort()),
    ).rejects.toBeInstanceOf(APIUserAbortError);
    expect(fn).not.toHaveBeenCalled();
  });

  it('survives a throwing listener and stops notifying after unsubscribe', async () => {
    const { registry, fail } = setup();
    const seen: string[] = [];
    registry.onStateChange(() => {
      throw new Error('listener bug');
    });
    const off = registry.onStateChange((c) => seen.push(c.to));
    await fail(3);
    off();
    jest.advanceTimersByTime(10_000);
    await registry.execute('k', settings, ok, isServerError);
    expect(seen).toEqual(['open']);
  });
});

describe('CockatielBreakerRegistry (sampling)', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 5_000_000 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('opens exactly when the failure rate over the window passes the threshold', async () => {
    const registry = new CockatielBreakerRegistry();
    // 10 s window, at least 1 rps: 10 calls are needed before the rate is judged at all.
    const sampling = {
      failureRateThreshold: 0.5,
      samplingWindowMs: 10_000,
      minimumRps: 1,
      halfOpenAfterMs: 5_000,
    };
    const run = (fn: () => Promise<string>) => registry.execute('s', sampling, fn, isServerError);
    for (let i = 0; i < 6; i++) await run(ok);
    for (let i = 0; i < 6; i++) {
      await expect(run(serverFails)).rejects.toBeInstanceOf(ServerError);
      jest.advanceTimersByTime(100);
    }
    expect(registry.state('s')).toBe('closed'); // 6 of 12 = 50%: not past the threshold
    await expect(run(serverFails)).rejects.toBeInstanceOf(ServerError);
    expect(registry.state('s')).toBe('open'); // 7 of 13
    await expect(run(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    jest.advanceTimersByTime(5_000);
    await expect(run(ok)).resolves.toBe('ok');
    expect(registry.state('s')).toBe('closed');
  });
});
