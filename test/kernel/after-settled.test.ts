import { describe, expect, it } from '@jest/globals';
import { afterSettled } from '../../src/kernel/promises/after-settled.js';

describe('afterSettled: release once the promise settles, the outcome unchanged', () => {
  it('releases once on fulfilment and passes the same value on', async () => {
    const value = { the: 'value' };
    let releases = 0;
    const settled = afterSettled(Promise.resolve(value), () => releases++);
    expect(releases).toBe(0); // not before it settles
    await expect(settled).resolves.toBe(value);
    expect(releases).toBe(1);
  });

  it('releases once on rejection and passes the same error on', async () => {
    const error = new Error('failed');
    let releases = 0;
    const settled = afterSettled(Promise.reject(error), () => releases++);
    await expect(settled).rejects.toBe(error);
    expect(releases).toBe(1);
  });

  it('releases after the promise settles, not when it is wrapped', async () => {
    let resolve!: (value: string) => void;
    const order: string[] = [];
    const settled = afterSettled(new Promise<string>((r) => (resolve = r)), () => order.push('release'));
    await Promise.resolve();
    order.push('settle');
    resolve('done');
    await expect(settled).resolves.toBe('done');
    expect(order).toEqual(['settle', 'release']);
  });

  // As the hand-written `then` pairs it replaces did: the release's own error is what the caller sees.
  it('rejects with the release error when release throws after a fulfilment', async () => {
    const broken = new Error('release broke');
    const settled = afterSettled(Promise.resolve('value'), () => {
      throw broken;
    });
    await expect(settled).rejects.toBe(broken);
  });

  it('rejects with the release error (not the original) when release throws after a rejection', async () => {
    const broken = new Error('release broke');
    let releases = 0;
    const settled = afterSettled(Promise.reject(new Error('original')), () => {
      releases++;
      throw broken;
    });
    await expect(settled).rejects.toBe(broken);
    expect(releases).toBe(1);
  });
});
