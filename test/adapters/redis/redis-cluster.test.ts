import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Type } from '@sinclair/typebox';
import { RedisBreakerRegistry } from '../../../src/adapters/circuit-breaker/redis-breaker.js';
import { SystemClock } from '../../../src/adapters/clock/system-clock.js';
import { CaptureLogger } from '../../../src/adapters/logger/capture-logger.js';
import { RedisRateLimiter } from '../../../src/adapters/rate-limiter/redis-rate-limiter.js';
import { RedisLink, type RedisLinkOptions } from '../../../src/adapters/redis/redis-link.js';
import { RedisSemaphoreFactory } from '../../../src/adapters/semaphore/redis-semaphore-factory.js';
import { SharedStateUnavailableError } from '../../../src/kernel/errors/shared-state-unavailable.js';
import { createKernel } from '../../../src/defaults/kernel.js';
import { definePlugin } from '../../../src/kernel/plugin.js';
import { Ports } from '../../../src/ports/index.js';
import { closedPort } from '../../support/closed-port.js';
import { RedisCluster } from '../../support/redis-cluster.js';
import { describeRedis } from '../../support/redis-server.js';
import { contract as breakerContract } from '../../support/breaker-contract.js';
import { contract as rateLimiterContract, tracker } from '../../support/rate-limiter-contract.js';
import { contract as semaphoreContract, eventually } from '../../support/semaphore-contract.js';

/*
 * The fleet limits on a real Redis Cluster (three masters, started once for this file): a script's keys
 * must share a hash slot there, or Redis answers CROSSSLOT. Before round 29 every acquire on a cluster
 * threw that raw ReplyError, in 'local' and 'reject' alike.
 */

describeRedis('Fleet limits on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let admin: Cluster;
  /** Every link logs here: a fallback to in-process limits would let these tests pass without Redis. */
  const logger = new CaptureLogger();
  const links: RedisLink[] = [];
  const factories: RedisSemaphoreFactory[] = [];
  /** A link on its own connections, as another process would have. */
  const linkFor = (keyPrefix: string, options: Partial<RedisLinkOptions> = {}, log = logger) => {
    const link = new RedisLink({ url: cluster.url, keyPrefix, cluster: true, ...options });
    link.useLogger(log);
    links.push(link);
    return link;
  };
  const limiterFor = (prefix: string) => new RedisRateLimiter(linkFor(prefix), new SystemClock());
  const semaphoresFor = (prefix: string) => {
    const made = new RedisSemaphoreFactory(linkFor(prefix), new SystemClock());
    factories.push(made);
    return made;
  };

  beforeAll(async () => {
    cluster = await RedisCluster.start();
    admin = new Cluster([{ host: '127.0.0.1', port: cluster.ports[0]! }]);
  });
  afterAll(async () => {
    try {
      await Promise.all(factories.map((made) => made.close()));
      await Promise.all(links.map((link) => link.close()));
      await admin?.quit();
    } finally {
      await cluster?.stop(); // no node outlives the file, whatever failed
    }
    expect(logger.records.filter((r) => r.level === 'warn')).toEqual([]);
  });

  rateLimiterContract('RedisRateLimiter on a cluster', () => ({
    make: () => limiterFor(`c-${randomUUID()}:`),
  }));
  breakerContract(
    'RedisBreakerRegistry on a cluster',
    () => new RedisBreakerRegistry(linkFor('c-breakers:')),
  );
  semaphoreContract('RedisSemaphore on a cluster', (capacity) =>
    semaphoresFor(`c-${randomUUID()}:`).create(capacity, randomUUID()),
  );

  it('shares one token bucket and one semaphore across processes', async () => {
    const prefix = `c-${randomUUID()}:`;
    const [one, other] = [limiterFor(prefix), limiterFor(prefix)];
    const tokenBucket = { requestsPerSecond: 20, burst: 1 };
    await one.acquire('tb', { tokenBucket }); // spends the fleet's burst
    const { track } = tracker();
    // With a bucket of its own, `other` would have gone at once.
    expect(await track('other', other.acquire('tb', { tokenBucket }))).toBeGreaterThanOrEqual(30);

    const [a, b] = [semaphoresFor(prefix).create(1, 'jobs'), semaphoresFor(prefix).create(1, 'jobs')];
    const held = await a.acquire();
    let granted = false;
    const fromB = b.acquire().then((release) => ((granted = true), release));
    await eventually(() => b.waiting === 1);
    expect(granted).toBe(false); // a's permit counts against b's budget
    held(); // released in the other process: b is woken by the notification (or its poll)
    (await fromB)();
  });

  it("keeps each limiter's keys in one slot and spreads the limiters over the nodes", async () => {
    const prefix = `c-${randomUUID()}:`;
    const limiter = limiterFor(prefix);
    const buckets = Array.from({ length: 12 }, (_, i) => `bucket-${i}`);
    const tokenBucket = { requestsPerSecond: 1, burst: 1 };
    for (const bucket of buckets) await limiter.acquire(bucket, { tokenBucket });
    const owners = await Promise.all(
      admin.nodes('master').map(async (node) => (await node.keys(`${prefix}*`)).sort()),
    );
    expect(owners.filter((keys) => keys.length > 0).length).toBeGreaterThan(1);
    for (const bucket of buckets) {
      expect(owners.filter((keys) => keys.includes(`${prefix}{rate:${bucket}}`))).toHaveLength(1);
    }
  });

  // Round 29 left it: `{}` in the prefix made Redis hash each whole key, so an acquire's two keys were on
  // two slots (CROSSSLOT, reported as "Redis unavailable" at the first call). Now refused at setup.
  it('refuses a keyPrefix that splits a limiter over slots, and shares with braces that do not', async () => {
    expect(() => linkFor('fleet{}:')).toThrow(/keyPrefix must not have an empty hash tag/);
    const tokenBucket = { requestsPerSecond: 1, burst: 1 };
    for (const prefix of ['{fleet}:', `a{${randomUUID()}:`, `}{${randomUUID()}`]) {
      await limiterFor(prefix).acquire(`b-${randomUUID()}`, { tokenBucket });
      (await semaphoresFor(prefix).create(1, randomUUID()).acquire())();
    }
    // afterAll: no link logged a warn (a CROSSSLOT would have been one, and a fallback).
  });

  it('says to set `cluster` when a link without it is pointed at a cluster node', async () => {
    const log = new CaptureLogger();
    const prefix = `c-${randomUUID()}:`;
    const rejecting = new RedisRateLimiter(
      linkFor(prefix, { cluster: false, onUnavailable: 'reject' }, log),
      new SystemClock(),
    );
    const falling = new RedisRateLimiter(linkFor(prefix, { cluster: false }, log), new SystemClock());
    const failures: unknown[] = [];
    // Some buckets' slots are the seed node's own: those are shared; the others are not.
    for (let i = 0; i < 12; i++) {
      await rejecting.acquire(`b-${i}`).catch((error: unknown) => failures.push(error));
      await falling.acquire(`b-${i}`); // in-process limits, never a raw ReplyError
    }
    expect(failures.length).toBeGreaterThan(0);
    for (const error of failures) {
      expect(error).toBeInstanceOf(SharedStateUnavailableError);
      expect((error as Error).message).toMatch(/MOVED .*set shared\.cluster to true/);
      expect((error as Error).message).not.toMatch(/cannot be reached/); // no outage to look for
      // A setting to fix: no retry can succeed until the process is configured anew.
      expect(error).toMatchObject({ retryable: false, category: 'user' });
    }
    const warnings = log.records.filter((r) => r.level === 'warn');
    expect(warnings.map((r) => r.message)).toEqual([
      expect.stringMatching(/fail until shared\.cluster is set$/),
      expect.stringMatching(/in-process ones until shared\.cluster is set$/),
    ]);
    expect(warnings.map((r) => r.fields?.error)).toEqual([
      expect.stringMatching(/set shared\.cluster to true/),
      expect.stringMatching(/set shared\.cluster to true/),
    ]);
  });

  // A link whose one seed was down could not start ("None of startup nodes is available"), the rest of
  // the cluster up: `redis` takes several seeds with `cluster`, and any live one is enough.
  it('starts from the seeds that answer when the first one is down', async () => {
    const down = `redis://127.0.0.1:${await closedPort()}`;
    const prefix = `c-${randomUUID()}:`;
    const kernel = createKernel({
      shared: { redis: [down, cluster.url], cluster: true, keyPrefix: prefix, onUnavailable: 'reject' },
    });
    const log = new CaptureLogger();
    kernel.register(Ports.Logger, log);
    try {
      const limiter = kernel.resolve(Ports.RateLimiter);
      // 'reject': without Redis this would be a SharedStateUnavailableError, not a grant.
      await limiter.acquire('seeds', { tokenBucket: { requestsPerSecond: 1, burst: 1 } });
      expect(await admin.exists(`${prefix}{rate:seeds}`)).toBe(1);
    } finally {
      await kernel.close();
    }
    expect(log.records.filter((r) => r.level !== 'debug')).toEqual([]);
  });

  // Found by hand (round 29): a Tinkex sampler on a cluster node without `cluster`, with 'reject', kept
  // retrying the SharedStateUnavailableError ("fail in 7140 s"), where only a new setting can help.
  it('fails a kernel call at once, without retries, when `cluster` is missing', async () => {
    const server = http.createServer((req, res) => req.resume().on('end', () => res.end('{}')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const failures: unknown[] = [];
    const retries: string[] = [];
    try {
      // Twelve fleets (prefixes): the bucket's slot is another node's for some of them.
      for (let i = 0; i < 12; i++) {
        const kernel = createKernel({
          shared: { redis: cluster.url, keyPrefix: `k${i}-${randomUUID()}:`, onUnavailable: 'reject' },
        }).use(
          definePlugin({
            name: 'svc',
            version: '1',
            defaults: { baseUrl, maxRetries: 2 },
            manifest: {
              name: 'svc',
              version: '1',
              endpoints: [{ id: 'get', method: 'POST', path: '/thing', input: Type.Object({}) }],
            },
          }),
        );
        const log = new CaptureLogger();
        kernel.register(Ports.Logger, log);
        try {
          await kernel.call('get', {}).catch((error: unknown) => failures.push(error));
        } finally {
          await kernel.close();
        }
        retries.push(...log.records.filter((r) => r.message.startsWith('retrying')).map((r) => r.message));
      }
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    expect(failures.length).toBeGreaterThan(0);
    for (const error of failures)
      expect(error).toMatchObject({ name: 'SharedStateUnavailableError', retryable: false });
    expect(retries).toEqual([]);
  });
});
