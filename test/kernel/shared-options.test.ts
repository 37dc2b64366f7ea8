import { describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { RedisBreakerRegistry } from '../../src/adapters/circuit-breaker/redis-breaker.js';
import { SystemClock } from '../../src/adapters/clock/system-clock.js';
import { RedisLink } from '../../src/adapters/redis/redis-link.js';
import { RedisSemaphoreFactory } from '../../src/adapters/semaphore/redis-semaphore-factory.js';
import { ValidationError } from '../../src/kernel/errors/validation-error.js';
import { createKernel } from '../../src/defaults/kernel.js';
import type { SharedStateOptions } from '../../src/kernel/shared-state-options.js';

/*
 * Found by hand (round 23): `shared: { leaseMs: -5 }`, `{ leaseMs: 0 }`, `{ commandTimeoutMs: -1 }`,
 * `{ onUnavailable: 'maybe' }` and a misspelt key were all accepted (a lease of -5 ms expires every
 * permit at once: the fleet admits without bound), and a URL that was not one failed with Node's
 * TypeError, whose `input` (shown by util.inspect) is the URL, password and all.
 */

const SECRET = 'pa55-word-in-url';
const URL_OK = `redis://:${SECRET}@127.0.0.1:6399`;

/** The error `createKernel({ shared })` throws, and everything a log or report could show of it. */
function refusal(shared: unknown): { error: unknown; shown: string } {
  let error: unknown;
  try {
    createKernel({ shared: shared as SharedStateOptions });
  } catch (caught) {
    error = caught;
  }
  return {
    error,
    shown: `${inspect(error, { depth: 10 })} ${JSON.stringify(error)} ${(error as Error)?.stack}`,
  };
}

describe('createKernel({ shared }) options', () => {
  it.each([
    [{ redis: URL_OK, leaseMs: -5 }, '/shared/leaseMs', 'minimum'],
    [{ redis: URL_OK, leaseMs: 0 }, '/shared/leaseMs', 'minimum'],
    [{ redis: URL_OK, leaseMs: Number.NaN }, '/shared/leaseMs', 'finite'],
    [{ redis: URL_OK, trialLeaseMs: -1 }, '/shared/trialLeaseMs', 'minimum'],
    [{ redis: URL_OK, commandTimeoutMs: -1 }, '/shared/commandTimeoutMs', 'minimum'],
    [{ redis: URL_OK, connectTimeoutMs: 0 }, '/shared/connectTimeoutMs', 'minimum'],
    [{ redis: URL_OK, onUnavailable: 'maybe' }, '/shared/onUnavailable', 'enum'],
    [{ redis: URL_OK, keyPrefix: 5 }, '/shared/keyPrefix', 'type'],
    // An empty hash tag first: Redis hashes each whole key, so a limiter's keys land on different
    // slots of a cluster (CROSSSLOT at the first call). Refused without `cluster` too (a later move).
    [{ redis: URL_OK, cluster: true, keyPrefix: 'fleet{}:' }, '/shared/keyPrefix', 'hashTag'],
    [{ redis: URL_OK, keyPrefix: '{}' }, '/shared/keyPrefix', 'hashTag'],
    [{ redis: URL_OK, keyPrefix: 'a{}{b}:' }, '/shared/keyPrefix', 'hashTag'],
    [{ redis: URL_OK, cluster: 'yes' }, '/shared/cluster', 'type'],
    [{ redis: URL_OK, shareSemaphore: 'all' }, '/shared/shareSemaphore', 'type'],
    [{ redis: URL_OK, on_unavailable: 'reject' }, '/shared/on_unavailable', 'additionalProperties'],
    [{ keyPrefix: 'x:' }, '/shared/redis', 'required'],
    [{ redis: `not a url :${SECRET}@` }, '/shared/redis', 'format'],
    [{ redis: `redis//:${SECRET}@127.0.0.1:6379` }, '/shared/redis', 'format'],
    [{ redis: `http://:${SECRET}@127.0.0.1:6379` }, '/shared/redis', 'format'],
    [{ redis: 42 }, '/shared/redis', 'type'],
    // Found by hand (round 35): ioredis reads the path (or `?db=`) as the database number with parseInt.
    // `/abc` became SELECT NaN, whose unhandled rejection killed the process at the first call; `/1.5`
    // and `/-1` quietly used another database than the one written.
    [{ redis: `redis://:${SECRET}@127.0.0.1:6379/abc` }, '/shared/redis', 'database'],
    [{ redis: `redis://:${SECRET}@127.0.0.1:6379/1.5` }, '/shared/redis', 'database'],
    [{ redis: `redis://:${SECRET}@127.0.0.1:6379/-1` }, '/shared/redis', 'database'],
    [{ redis: `redis://:${SECRET}@127.0.0.1:6379/0/x` }, '/shared/redis', 'database'],
    [{ redis: `redis://:${SECRET}@127.0.0.1:6379?db=abc` }, '/shared/redis', 'database'],
    [
      { redis: [URL_OK, `redis://:${SECRET}@127.0.0.1:6400/x`], cluster: true },
      '/shared/redis/1',
      'database',
    ],
    ['redis://127.0.0.1', '/shared', 'type'],
    // Several seed nodes (a cluster's link starts while one of them is down).
    [{ redis: [], cluster: true }, '/shared/redis', 'minItems'],
    [{ redis: [URL_OK, URL_OK.replace('6399', '6400')] }, '/shared/redis', 'cluster'],
    [{ redis: [URL_OK, `http://:${SECRET}@127.0.0.1:6400`], cluster: true }, '/shared/redis/1', 'format'],
    [{ redis: [URL_OK, 6400], cluster: true }, '/shared/redis/1', 'type'],
    [{ redis: [URL_OK, 'redis://127.0.0.1:6400'], cluster: true }, '/shared/redis/1', 'sameCredentials'],
    [
      { redis: [URL_OK, `rediss://:${SECRET}@127.0.0.1:6400`], cluster: true },
      '/shared/redis/1',
      'sameCredentials',
    ],
  ])('refuses %j at construction, naming the field and the rule, never the URL', (shared, pointer, rule) => {
    const { error, shown } = refusal(shared);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([expect.objectContaining({ pointer, rule })]);
    expect(shown).not.toContain(SECRET);
  });

  it.each(['', '/', '/0', '/15', '?db=2'])('accepts a URL whose database part is %j', async (tail) => {
    await createKernel({ shared: { redis: `${URL_OK}${tail}` } }).close();
  });

  it.each(['{fleet}:', 'a{b:', 'a}{b}:', 'a{', '}{'])(
    'accepts a keyPrefix %j whose braces keep a limiter on one slot',
    async (keyPrefix) => {
      await createKernel({ shared: { redis: URL_OK, cluster: true, keyPrefix } }).close();
    },
  );

  it('accepts every documented option', async () => {
    const kernel = createKernel({
      shared: {
        redis: URL_OK,
        cluster: true,
        keyPrefix: 'fleet:',
        commandTimeoutMs: 500,
        connectTimeoutMs: 1000,
        onUnavailable: 'reject',
        leaseMs: 5000,
        trialLeaseMs: 30_000,
        shareSemaphore: () => true,
      },
    });
    await kernel.close();
  });
});

describe('the Redis adapters built directly', () => {
  it('refuse a URL that is not one without quoting it, and nonsense timeouts, naming the field', () => {
    const thrown = (make: () => unknown) => {
      try {
        make();
      } catch (error) {
        return error as Error;
      }
      throw new Error('not refused');
    };
    const bad = thrown(() => new RedisLink({ url: `redis//:${SECRET}@127.0.0.1:6379` }));
    expect(bad).toBeInstanceOf(RangeError);
    expect(`${inspect(bad, { depth: 10 })} ${bad.stack}`).not.toContain(SECRET);
    const db = thrown(() => new RedisLink({ url: `${URL_OK}/abc` }));
    expect(db).toBeInstanceOf(RangeError);
    expect(db.message).toMatch(/shared\.redis .*database number/);
    expect(`${inspect(db, { depth: 10 })} ${db.stack}`).not.toContain(SECRET);
    expect(thrown(() => new RedisLink({ url: URL_OK, commandTimeoutMs: 0 })).message).toMatch(
      /commandTimeoutMs/,
    );
    expect(thrown(() => new RedisLink({ url: URL_OK, connectTimeoutMs: -1 })).message).toMatch(
      /connectTimeoutMs/,
    );
    expect(thrown(() => new RedisLink({ url: URL_OK, cluster: 1 as unknown as boolean })).message).toMatch(
      /cluster/,
    );
    const other = `redis://:${SECRET}@127.0.0.1:6400`;
    expect(thrown(() => new RedisLink({ url: [URL_OK, other] })).message).toMatch(/only with cluster/);
    expect(thrown(() => new RedisLink({ url: [], cluster: true })).message).toMatch(/at least one/);
    const mixed = thrown(() => new RedisLink({ url: [URL_OK, 'redis://127.0.0.1:6400'], cluster: true }));
    expect(mixed.message).toMatch(/shared\.redis\/1 must use the same/);
    expect(`${inspect(mixed, { depth: 10 })} ${mixed.stack}`).not.toContain(SECRET);
    const link = new RedisLink({ url: URL_OK });
    expect(thrown(() => new RedisSemaphoreFactory(link, new SystemClock(), { leaseMs: -5 })).message).toMatch(
      /leaseMs/,
    );
    expect(thrown(() => new RedisBreakerRegistry(link, { trialLeaseMs: 0 })).message).toMatch(/trialLeaseMs/);
    return link.close();
  });
});
