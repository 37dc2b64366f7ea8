import { describe, expect, it } from '@jest/globals';
import { CockatielBreakerRegistry } from '../../../src/adapters/circuit-breaker/cockatiel-breaker.js';
import { CircuitOpenError } from '../../../src/kernel/errors/api-errors.js';

const ok = async () => 'ok';
const boom = async () => {
  throw new Error('server failure');
};

describe('CockatielBreakerRegistry', () => {
  it('opens past a sampled failure-rate threshold, and only counts failures the predicate accepts', async () => {
    const registry = new CockatielBreakerRegistry();
    const settings = {
      failureRateThreshold: 0.5,
      samplingWindowMs: 5_000,
      minimumRps: 2,
      halfOpenAfterMs: 60_000,
    };
    const counts = (e: unknown) => (e as Error).message === 'server failure';
    for (let i = 0; i < 4; i++) await registry.execute('k', settings, ok, counts);
    // Client errors pass through and do not count.
    for (let i = 0; i < 6; i++) {
      await expect(
        registry.execute('k', settings, async () => Promise.reject(new Error('bad request')), counts),
      ).rejects.toThrow('bad request');
    }
    expect(registry.state('k')).toBe('closed');
    let failures = 0;
    while (registry.state('k') === 'closed' && failures < 20) {
      await expect(registry.execute('k', settings, boom, counts)).rejects.toThrow('server failure');
      failures++;
    }
    expect(registry.state('k')).toBe('open');
    expect(failures).toBeGreaterThan(1);
    await expect(registry.execute('k', settings, ok, counts)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(registry.state('other')).toBeUndefined();
  });
});
