import { describe, expect, it } from '@jest/globals';
import { FutureStore } from '../src/futures.js';

describe('FutureStore memory', () => {
  it('frees a delivered result once its TTL has passed, without waiting for a late poll', () => {
    let now = 0;
    const store = new FutureStore(() => now, 1000);
    const delivered = [store.create('sample'), store.create('sample')];
    for (const id of delivered) {
      store.complete(id, { sequences: [] });
      store.markDelivered(id);
    }
    const undelivered = store.create('sample');
    store.complete(undelivered, { sequences: [] });
    now += 1001;
    // A long-running emulator (a benchmark, a week of demos) polls each result once: those results must
    // not pile up for the life of the process.
    store.create('sample');
    expect(store.size).toBe(2); // the undelivered result and the new future
    // A late poll of a freed result still learns it expired (410), not that it never existed (404).
    expect(store.lookup(delivered[0])).toBe('expired');
    expect(store.lookup('req-999')).toBe('missing');
    expect(store.lookup('not-an-id')).toBe('missing');
    expect(store.lookup('req-1e0')).toBe('missing');
    expect(store.lookup(undelivered)).toMatchObject({ state: 'done' });
  });

  it('keeps a delivered result for the whole TTL (a client may re-poll after its own timeout)', () => {
    let now = 0;
    const store = new FutureStore(() => now, 1000);
    const id = store.create();
    store.complete(id, 'result');
    store.markDelivered(id);
    now += 1000;
    store.create();
    expect(store.lookup(id)).toMatchObject({ state: 'done', result: 'result' });
  });
});
