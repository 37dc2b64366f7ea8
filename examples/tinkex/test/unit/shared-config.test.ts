import { describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { resolveConfig, ValidationError } from '../../src/index.js';

describe('ServiceClient shared: { redis } option', () => {
  const env = { TINKER_API_KEY: 'tml-x' };

  it('keeps the Redis URL as a secret: never in inspect or JSON output', () => {
    const config = resolveConfig({ env, shared: { redis: 'redis://:hunter2@redis.internal:6379/2' } });
    expect(config.shared_redis?.reveal()).toBe('redis://:hunter2@redis.internal:6379/2');
    expect(inspect(config, { depth: 5 })).not.toContain('hunter2');
    expect(JSON.stringify(config)).not.toContain('hunter2');
    expect(resolveConfig({ env }).shared_redis).toBeUndefined();
  });

  it.each([['localhost:6379'], ['http://redis:6379'], [''], [42]])(
    'rejects %p with a ValidationError naming /shared/redis',
    (redis) => {
      const error = (() => {
        try {
          resolveConfig({ env, shared: { redis } as { redis: string } });
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ValidationError);
      expect(String((error as Error).message)).toContain('/shared/redis');
    },
  );
});
