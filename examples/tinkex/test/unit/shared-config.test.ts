import { describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { resolveConfig, ServiceClient, ValidationError } from '../../src/index.js';

describe('ServiceClient shared: { redis } option', () => {
  const env = { TINKER_API_KEY: 'tml-x' };

  it('keeps the Redis URL as a secret: never in inspect or JSON output', () => {
    const config = resolveConfig({ env, shared: { redis: 'redis://:hunter2@redis.internal:6379/2' } });
    const shown = config.shared_redis;
    expect(Array.isArray(shown) ? shown : shown?.reveal()).toBe('redis://:hunter2@redis.internal:6379/2');
    expect(inspect(config, { depth: 5 })).not.toContain('hunter2');
    expect(JSON.stringify(config)).not.toContain('hunter2');
    expect(resolveConfig({ env }).shared_redis).toBeUndefined();
  });

  /**
   * The error `new ServiceClient` throws for `shared`: its kernel's (checked at construction, before
   * anything is sent), not a copy of the kernel's rules in Tinkex.
   */
  const refusal = (shared: Record<string, unknown>) => {
    try {
      new ServiceClient({ api_key: 'tml-x', base_url: 'http://127.0.0.1:9', shared } as never);
    } catch (e) {
      expect(String((e as Error).message)).toMatch(/^Invalid kernel options:/);
      return e;
    }
    return undefined;
  };

  // The kernel's rules are the one source (round 31): Tinkex only keeps each seed secret.
  it.each([['localhost:6379'], ['http://redis:6379'], [''], [42]])(
    'refuses %p with a ValidationError naming /shared/redis and the format rule',
    (redis) => {
      const error = refusal({ redis });
      expect(error).toBeInstanceOf(ValidationError);
      expect(String((error as Error).message)).toMatch(/\/shared\/redis: .*\(format\)/);
    },
  );

  // The kernel takes several seed nodes for a Redis Cluster (round 30, left30): a link then starts while
  // one seed is down. Tinkex took one URL only.
  it('passes several seed nodes of a cluster through, each kept secret', () => {
    const seeds = ['redis://:hunter2@10.0.0.1:7000', 'redis://:hunter2@10.0.0.2:7000'];
    const config = resolveConfig({ env, shared: { redis: seeds, cluster: true } });
    const shown = config.shared_redis;
    expect(Array.isArray(shown) ? shown.map((s) => s.reveal()) : shown?.reveal()).toEqual(seeds);
    expect(inspect(config, { depth: 5 })).not.toContain('hunter2');
    expect(JSON.stringify(config)).not.toContain('hunter2');
  });

  it.each([
    [[], undefined, '/shared/redis', 'minItems'],
    [['redis://a:7000', 'localhost:7000'], true, '/shared/redis/1', 'format'],
    [['redis://a:7000', 'redis://b:7000'], undefined, '/shared/redis', 'cluster'],
  ])('refuses the seed list %p (cluster %p) naming %s and the rule %s', (redis, cluster, field, rule) => {
    const error = refusal({ redis, ...(cluster ? { cluster } : {}) });
    expect(error).toBeInstanceOf(ValidationError);
    expect(String((error as Error).message)).toContain(`${field}: `);
    expect(String((error as Error).message)).toContain(`(${rule})`);
  });

  it('hands the seeds to the kernel, which refuses seeds with different passwords without showing them', () => {
    const make = () =>
      new ServiceClient({
        api_key: 'tml-x',
        base_url: 'http://127.0.0.1:9',
        shared: {
          redis: ['redis://:first-pw@127.0.0.1:7000', 'redis://:second-pw@127.0.0.1:7001'],
          cluster: true,
        },
      });
    expect(make).toThrow(ValidationError);
    expect(make).toThrow(/\/shared\/redis\/1.*sameCredentials/);
    expect(make).not.toThrow(/first-pw|second-pw/);
  });
});
