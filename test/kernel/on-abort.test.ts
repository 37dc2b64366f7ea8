import { describe, expect, it } from '@jest/globals';
import { getEventListeners } from 'node:events';
import {
  abortOwned,
  offAbortTell,
  onAbort,
  onAbortTell,
  ownedAbortController,
} from '../../src/kernel/signals/on-abort.js';

describe('onAbort: many subscribers, one listener on the signal', () => {
  it('runs every live subscriber once, in order, and leaves no listener', () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const same = () => seen.push('same');
    onAbort(controller.signal, () => seen.push('a'));
    const offB = onAbort(controller.signal, () => seen.push('b'));
    onAbort(controller.signal, same);
    onAbort(controller.signal, same); // the same function twice is two subscriptions
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    offB();
    controller.abort();
    controller.abort();
    expect(seen).toEqual(['a', 'same', 'same']);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('removes its listener with the last unsubscribe, and can subscribe again after', () => {
    const controller = new AbortController();
    const offs = Array.from({ length: 30 }, () => onAbort(controller.signal, () => {}));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    for (const off of offs.slice(1)) off();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    offs[0]();
    offs[0](); // twice is harmless
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    let fired = 0;
    onAbort(controller.signal, () => fired++);
    controller.abort();
    expect(fired).toBe(1);
  });

  it('an unsubscribe after the abort changes nothing', () => {
    const controller = new AbortController();
    const off = onAbort(controller.signal, () => {});
    controller.abort();
    off();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});

describe('onAbortTell: an object that is its own subscription', () => {
  const told = (seen: string[], name: string) => ({ onSignalAbort: () => seen.push(name) });

  it('is told once, in subscription order among closures, and offAbortTell ends it', () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const a = told(seen, 'a');
    const b = told(seen, 'b');
    onAbortTell(controller.signal, a);
    onAbort(controller.signal, () => seen.push('closure'));
    onAbortTell(controller.signal, b);
    offAbortTell(controller.signal, a);
    offAbortTell(controller.signal, a); // twice is harmless
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    controller.abort();
    expect(seen).toEqual(['closure', 'b']);
    offAbortTell(controller.signal, b); // after the abort: nothing to do
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('leaves no listener once the last subscriber is gone, alone or among others, and on an owned signal', () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const lone = told(seen, 'lone');
    onAbortTell(controller.signal, lone);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    offAbortTell(controller.signal, lone);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    const many = Array.from({ length: 5 }, (_, i) => told(seen, String(i)));
    for (const subscriber of many) onAbortTell(controller.signal, subscriber);
    for (const subscriber of many) offAbortTell(controller.signal, subscriber);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    const owned = ownedAbortController();
    onAbortTell(owned.signal, told(seen, 'owned'));
    expect(getEventListeners(owned.signal, 'abort')).toHaveLength(0);
    abortOwned(owned, 'why');
    controller.abort();
    expect(seen).toEqual(['owned']);
  });
});

describe('onAbort: one subscriber at a time (the common case)', () => {
  it('adds and removes the one listener each time, and fires the current subscriber only', () => {
    const controller = new AbortController();
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      const off = onAbort(controller.signal, () => seen.push(i));
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
      off();
      off();
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    }
    onAbort(controller.signal, () => seen.push(99));
    controller.abort();
    expect(seen).toEqual([99]);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('keeps order when a second subscriber arrives, and either may leave first', () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const offA = onAbort(controller.signal, () => seen.push('a'));
    const offB = onAbort(controller.signal, () => seen.push('b'));
    onAbort(controller.signal, () => seen.push('c'));
    offB();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    expect(seen).toEqual(['a', 'c']);
    offA(); // after the abort: nothing to do
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);

    const other = new AbortController();
    const offFirst = onAbort(other.signal, () => seen.push('first'));
    const offSecond = onAbort(other.signal, () => seen.push('second'));
    offFirst();
    offSecond();
    expect(getEventListeners(other.signal, 'abort')).toHaveLength(0);
    // Back to one subscriber after the many: it is attached again and fires.
    onAbort(other.signal, () => seen.push('again'));
    expect(getEventListeners(other.signal, 'abort')).toHaveLength(1);
    other.abort();
    expect(seen).toEqual(['a', 'c', 'again']);
  });

  it('skips a subscriber cancelled by an earlier one during the abort, and never runs one added then', () => {
    const controller = new AbortController();
    const seen: string[] = [];
    let offB = () => {};
    onAbort(controller.signal, () => {
      seen.push('a');
      offB();
      onAbort(controller.signal, () => seen.push('late'));
    });
    offB = onAbort(controller.signal, () => seen.push('b'));
    onAbort(controller.signal, () => seen.push('c'));
    controller.abort();
    expect(seen).toEqual(['a', 'c']);
  });

  it('a lone subscriber that unsubscribes itself while running is called once', () => {
    const controller = new AbortController();
    let calls = 0;
    const off = onAbort(controller.signal, () => {
      calls++;
      off();
    });
    controller.abort();
    expect(calls).toBe(1);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});

describe("an owned controller (a future's): subscribers told by abortOwned, no listener on the signal", () => {
  it('runs the live subscribers once, in order, with the reason on the signal, and never adds a listener', () => {
    const controller = ownedAbortController();
    const seen: unknown[] = [];
    onAbort(controller.signal, () => seen.push('a'));
    const offB = onAbort(controller.signal, () => seen.push('b'));
    const offC = onAbort(controller.signal, () => seen.push(controller.signal.reason));
    offC();
    offC();
    onAbort(controller.signal, () => seen.push(controller.signal.reason));
    offB();
    // One subscriber at a time, as each poll of a future subscribes: still no listener.
    const lone = ownedAbortController();
    for (let i = 0; i < 3; i++) onAbort(lone.signal, () => {})();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(getEventListeners(lone.signal, 'abort')).toHaveLength(0);
    abortOwned(controller, 'why');
    abortOwned(controller, 'again'); // once only
    expect(seen).toEqual(['a', 'why']);
    expect(controller.signal.aborted).toBe(true);
  });

  it('runs listeners added to the signal directly too (during the abort, before the subscribers)', () => {
    const controller = ownedAbortController();
    const seen: string[] = [];
    onAbort(controller.signal, () => seen.push(`subscriber, aborted: ${controller.signal.aborted}`));
    controller.signal.addEventListener('abort', () => seen.push('listener'), { once: true });
    abortOwned(controller);
    expect(seen).toEqual(['listener', 'subscriber, aborted: true']);
    // Like any spent signal: a subscription after the abort is never run (check `aborted` first).
    let late = 0;
    onAbort(controller.signal, () => late++);
    abortOwned(controller);
    expect(late).toBe(0);
  });
});
