import { describe, expect, it } from '@jest/globals';
import { idempotencyKey } from '../../src/plugin/idempotency-key.js';

const V4 = /^stainless-node-retry-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('idempotencyKey (the X-Idempotency-Key of every call)', () => {
  it('is the stainless prefix and a version-4 UUID, as `stainless-node-retry-${randomUUID()}` was', () => {
    expect(idempotencyKey()).toMatch(V4);
  });

  it('never repeats, across refills of its random pool, and each key is its own string', () => {
    const keys = Array.from({ length: 3_000 }, () => idempotencyKey());
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.every((key) => V4.test(key))).toBe(true);
    // Every hex digit position varies (the random bytes reach every slot, the fixed ones stay fixed).
    const uuid = (key: string) => key.slice('stainless-node-retry-'.length);
    for (let at = 0; at < 36; at++) {
      const seen = new Set(keys.map((key) => uuid(key)[at]));
      if ([8, 13, 18, 23].includes(at)) expect([...seen]).toEqual(['-']);
      else if (at === 14) expect([...seen]).toEqual(['4']);
      else if (at === 19) expect(seen.size).toBe(4);
      else expect(seen.size).toBe(16);
    }
  });
});
