import { describe, expect, it } from '@jest/globals';
import { resolveConfig, ValidationError } from '../../src/index.js';

const base = { api_key: 'tml-config-test', env: {} as Record<string, string | undefined> };

/** `pointer rule` of each issue of the ValidationError `fn` throws. */
function issues(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map((i) => `${i.pointer} ${i.rule}`);
    throw error;
  }
  throw new Error('did not throw');
}

describe('poll_backoff', () => {
  it("'exponential' is Elixir's backoff(i, 1 s, 30 s): 1, 2, 4, 8, 16 s, then 30 s", () => {
    const backoff = resolveConfig({ ...base, poll_backoff: 'exponential' }).poll_backoff!;
    expect([0, 1, 2, 3, 4, 5, 6, 40].map(backoff)).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
    ]);
  });

  it('{ initial_ms, max_ms } follows the same curve; none is undefined; the env turns it on', () => {
    const custom = resolveConfig({ ...base, poll_backoff: { initial_ms: 100, max_ms: 500 } }).poll_backoff!;
    expect([0, 1, 2, 3, 9].map(custom)).toEqual([100, 200, 400, 500, 500]);
    expect(resolveConfig(base).poll_backoff).toBeUndefined();
    for (const value of ['1', 'true', 'exponential', 'ON'])
      expect(resolveConfig({ ...base, env: { TINKEX_POLL_BACKOFF: value } }).poll_backoff?.(0)).toBe(1_000);
    for (const value of ['0', 'none', 'no', 'bogus'])
      expect(resolveConfig({ ...base, env: { TINKEX_POLL_BACKOFF: value } }).poll_backoff).toBeUndefined();
  });

  it('refuses bounds that would spin or never end, and a function answering NaN', () => {
    expect(issues(() => resolveConfig({ ...base, poll_backoff: { initial_ms: 0, max_ms: 5 } }))).toEqual([
      '/poll_backoff/initial_ms minimum',
    ]);
    expect(issues(() => resolveConfig({ ...base, poll_backoff: { initial_ms: 50, max_ms: 5 } }))).toEqual([
      '/poll_backoff/max_ms minimum',
    ]);
    expect(issues(() => resolveConfig({ ...base, poll_backoff: 'linear' as never }))).toEqual([
      '/poll_backoff type',
    ]);
    const nan = resolveConfig({ ...base, poll_backoff: () => Number.NaN }).poll_backoff!;
    expect(() => nan(0)).toThrow(ValidationError);
  });
});

describe('circuit_breaker', () => {
  it('is off by default; true is 5 failures and 30 s; fields override', () => {
    expect(resolveConfig(base).circuit_breaker).toBe(false);
    expect(resolveConfig({ ...base, circuit_breaker: true }).circuit_breaker).toEqual({
      consecutiveFailures: 5,
      halfOpenAfterMs: 30_000,
    });
    expect(resolveConfig({ ...base, circuit_breaker: { failure_threshold: 2 } }).circuit_breaker).toEqual({
      consecutiveFailures: 2,
      halfOpenAfterMs: 30_000,
    });
  });

  it('refuses a zero threshold and unknown fields', () => {
    expect(
      issues(() =>
        resolveConfig({ ...base, circuit_breaker: { failure_threshold: 0, half_open: 1 } as never }),
      ),
    ).toEqual([
      '/circuit_breaker/failure_threshold minimum',
      '/circuit_breaker/half_open additionalProperties',
    ]);
  });
});

describe('default_query, proxy and sample_throttle', () => {
  it('the option wins over TINKEX_DEFAULT_QUERY, whose numbers become strings and nulls are dropped', () => {
    const env = { TINKEX_DEFAULT_QUERY: '{"a":1,"b":true,"c":null,"d":"x"}' };
    expect(resolveConfig({ ...base, env }).default_query).toEqual({ a: '1', b: 'true', d: 'x' });
    expect(resolveConfig({ ...base, env, default_query: { z: 'y' } }).default_query).toEqual({ z: 'y' });
    expect(issues(() => resolveConfig({ ...base, env: { TINKEX_DEFAULT_QUERY: '{"a":[1]}' } }))).toEqual([
      '/env/TINKEX_DEFAULT_QUERY type',
    ]);
    expect(issues(() => resolveConfig({ ...base, default_query: { a: 1 } as never }))).toEqual([
      '/default_query/a type',
    ]);
  });

  it('keeps the proxy URL a secret and checks TINKEX_PROXY like the option', () => {
    const config = resolveConfig({ ...base, env: { TINKEX_PROXY: 'http://u:secret-77@127.0.0.1:3128' } });
    expect(config.proxy?.reveal()).toBe('http://u:secret-77@127.0.0.1:3128');
    expect(JSON.stringify(config)).not.toContain('secret-77');
    expect(issues(() => resolveConfig({ ...base, env: { TINKEX_PROXY: 'not a url' } }))).toEqual([
      '/env/TINKEX_PROXY format',
    ]);
  });

  it('sample_throttle defaults to the Python SDK (10 s, 10, 20×) and refuses a zero concurrency', () => {
    expect(resolveConfig(base).sample_throttle).toEqual({
      window_ms: 10_000,
      concurrency: 10,
      bytes_factor: 20,
    });
    expect(resolveConfig({ ...base, sample_throttle: { concurrency: 2 } }).sample_throttle.concurrency).toBe(
      2,
    );
    expect(issues(() => resolveConfig({ ...base, sample_throttle: { concurrency: 0 } }))).toEqual([
      '/sample_throttle/concurrency minimum',
    ]);
  });
});
