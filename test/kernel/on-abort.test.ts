import { describe, expect, it } from '@jest/globals';
import { getEventListeners } from 'node:events';
import { onAbort } from '../../src/kernel/signals/on-abort.js';

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
