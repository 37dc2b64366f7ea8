import { describe, expect, it } from '@jest/globals';
import { resolveConfig } from '../../src/config.js';

const KEY = { TINKER_API_KEY: 'tml-undefined-members-key' };

// Typed inputs allow `{ member: undefined }`, and the checks count it as not given; the resolved
// options must then hold the default, not undefined (a spread of the caller's options over the defaults
// kept the undefined: a throttle window of undefined).
describe('a ServiceClient option member given as undefined keeps its default', () => {
  it('sample_throttle', () => {
    const given = resolveConfig({
      env: KEY,
      sample_throttle: { window_ms: undefined, concurrency: undefined },
    });
    expect(given.sample_throttle).toEqual(resolveConfig({ env: KEY }).sample_throttle);
    expect(given.sample_throttle.window_ms).toEqual(expect.any(Number));
  });

  it('circuit_breaker', () => {
    const given = resolveConfig({ env: KEY, circuit_breaker: { failure_threshold: undefined } });
    expect(given.circuit_breaker).toEqual(resolveConfig({ env: KEY, circuit_breaker: true }).circuit_breaker);
  });
});
