import { describe, expect, it } from '@jest/globals';
import { getEventListeners } from 'node:events';
import { SharedLoads } from '../../src/kernel/signals/shared-loads.js';
import { APIUserAbortError } from '../../src/kernel/errors/api-errors.js';
import { turns } from '../support/frozen-redis.js';

/** One started load: its signal, and the hands that settle it. */
interface Started {
  readonly signal: AbortSignal | undefined;
  resolve(value: string): void;
  reject(error: unknown): void;
}

/**
 * A loader whose loads are settled by hand, each one ending as a real load does when the signal it runs
 * under aborts (rejects with that signal's reason) if `honoursSignal`.
 */
function loader(honoursSignal = true) {
  const started: Started[] = [];
  const start = (signal: AbortSignal | undefined): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      const stop = new AbortController();
      const settle =
        <A extends unknown[]>(then: (...args: A) => void) =>
        (...args: A) => {
          stop.abort();
          then(...args);
        };
      started.push({ signal, resolve: settle(resolve), reject: settle(reject) });
      if (honoursSignal)
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true, signal: stop.signal });
    });
  return { started, start };
}

/** What a promise settled to (its value or error), without waiting for one that has not. */
async function outcome<T>(promise: Promise<T>): Promise<T | unknown | 'pending'> {
  let result: unknown = 'pending';
  promise.then(
    (value) => (result = value),
    (error: unknown) => (result = error),
  );
  await turns();
  return result;
}

describe('SharedLoads', () => {
  it('shares one load between callers of a key, and keeps its value', async () => {
    const loads = new SharedLoads<string, string>();
    const { started, start } = loader();
    const a = loads.get('k', undefined, start);
    const b = loads.get('k', undefined, start);
    expect(started).toHaveLength(1);
    started[0]!.resolve('v');
    await expect(Promise.all([a, b])).resolves.toEqual(['v', 'v']);
    await expect(loads.get('k', undefined, start)).resolves.toBe('v');
    expect(started).toHaveLength(1);
    void loads.get('other', undefined, start);
    expect(started).toHaveLength(2);
  });

  it("leaves caller B waiting when caller A's signal aborts, and ends B's wait at once on B's own abort", async () => {
    const loads = new SharedLoads<string, string>();
    // This load does not end by A's abort: only the callers' waits do.
    const { started, start } = loader(false);
    const a = new AbortController();
    const b = new AbortController();
    const first = loads.get('k', a.signal, start);
    const second = loads.get('k', b.signal, start);
    const unsignalled = loads.get('k', undefined, start);

    const aLeft = new Error('A left');
    a.abort(aLeft);
    const firstOutcome = await outcome(first);
    expect(firstOutcome).toBeInstanceOf(APIUserAbortError);
    expect((firstOutcome as Error).cause).toBe(aLeft);
    expect(await outcome(second)).toBe('pending');

    const bLeft = new Error('B left');
    b.abort(bLeft);
    const secondOutcome = await outcome(second);
    expect(secondOutcome).toBeInstanceOf(APIUserAbortError);
    expect((secondOutcome as Error).cause).toBe(bLeft);

    started[0]!.resolve('v');
    await expect(unsignalled).resolves.toBe('v');
    expect(started).toHaveLength(1);
  });

  it("starts the load again under B's signal when A's abort ended it, and B gets its value", async () => {
    const loads = new SharedLoads<string, string>();
    const { started, start } = loader();
    const a = new AbortController();
    const b = new AbortController();
    const first = loads.get('k', a.signal, start);
    const second = loads.get('k', b.signal, start);
    const c = new AbortController();
    const third = loads.get('k', c.signal, start);
    expect(started).toHaveLength(1);
    expect(started[0]!.signal).toBe(a.signal);

    a.abort(new Error('A left'));
    await expect(first).rejects.toBeInstanceOf(APIUserAbortError);
    await turns();
    // B starts it again (under its own signal); C, waiting too, joins B's load.
    expect(started).toHaveLength(2);
    expect(started[1]!.signal).toBe(b.signal);
    started[1]!.resolve('v');
    await expect(Promise.all([second, third])).resolves.toEqual(['v', 'v']);
  });

  it('does not start again for a caller whose own signal started the load', async () => {
    const loads = new SharedLoads<string, string>();
    const { started, start } = loader();
    const a = new AbortController();
    const first = loads.get('k', a.signal, start);
    const again = loads.get('k', a.signal, start);
    a.abort(new Error('A left'));
    await expect(first).rejects.toBeInstanceOf(APIUserAbortError);
    await expect(again).rejects.toBeInstanceOf(APIUserAbortError);
    expect(started).toHaveLength(1);
  });

  it('rejects at once a caller whose signal had aborted, and starts nothing', async () => {
    const loads = new SharedLoads<string, string>();
    const { started, start } = loader();
    await expect(loads.get('k', AbortSignal.abort('gone'), start)).rejects.toBeInstanceOf(APIUserAbortError);
    expect(started).toHaveLength(0);
  });

  it('forgets a failed load: every caller waiting gets its error, and the next call starts again', async () => {
    const loads = new SharedLoads<string, string>();
    const { started, start } = loader();
    const a = loads.get('k', undefined, start);
    const b = loads.get('k', new AbortController().signal, start);
    const failure = new Error('Hub down');
    started[0]!.reject(failure);
    await expect(a).rejects.toBe(failure);
    await expect(b).rejects.toBe(failure);
    const next = loads.get('k', undefined, start);
    expect(started).toHaveLength(2);
    started[1]!.resolve('v');
    await expect(next).resolves.toBe('v');
  });

  it('forgets a start that throws instead of rejecting', async () => {
    const loads = new SharedLoads<string, string>();
    const failure = new Error('bad id');
    await expect(
      loads.get('k', undefined, () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    await expect(loads.get('k', undefined, () => Promise.resolve('v'))).resolves.toBe('v');
  });

  it('hands a value the loader says not to keep to its waiting callers, then forgets it', async () => {
    const loads = new SharedLoads<string, string>();
    const { started, start } = loader();
    const keep = (value: string) => value !== 'partial';
    const a = loads.get('k', undefined, start, { keep });
    const b = loads.get('k', undefined, start, { keep });
    started[0]!.resolve('partial');
    await expect(Promise.all([a, b])).resolves.toEqual(['partial', 'partial']);
    await turns();
    const next = loads.get('k', undefined, start, { keep });
    expect(started).toHaveLength(2);
    started[1]!.resolve('whole');
    await expect(next).resolves.toBe('whole');
    await expect(loads.get('k', undefined, start, { keep })).resolves.toBe('whole');
    expect(started).toHaveLength(2);
  });

  it('leaves no listener on a signal reused for many calls, loaded, failed or restarted', async () => {
    const loads = new SharedLoads<number | string, string>();
    const { signal } = new AbortController();
    const { started, start } = loader(false);
    for (let i = 0; i < 20; i++) {
      const call = loads.get(i, signal, start);
      if (i % 2) started[i]!.resolve('v');
      else started[i]!.reject(new Error('failed'));
      await call.catch(() => undefined);
    }
    // A restart after another caller's abort: the reused signal waits on the second load, then leaves.
    const other = new AbortController();
    const restarting = loader();
    void loads.get('r', other.signal, restarting.start).catch(() => undefined);
    const waiting = loads.get('r', signal, restarting.start);
    other.abort();
    await turns();
    restarting.started[1]!.resolve('v');
    await expect(waiting).resolves.toBe('v');
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });
});
