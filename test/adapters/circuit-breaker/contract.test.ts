import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { CockatielBreakerRegistry } from '../../../src/adapters/circuit-breaker/cockatiel-breaker.js';
import { RedisBreakerRegistry } from '../../../src/adapters/circuit-breaker/redis-breaker.js';
import { CaptureLogger } from '../../../src/adapters/logger/capture-logger.js';
import { RedisLink } from '../../../src/adapters/redis/redis-link.js';
import { CircuitOpenError } from '../../../src/kernel/errors/api-errors.js';
import { RedisServer, describeRedis } from '../../support/redis-server.js';

import {
  HALF_OPEN_MS,
  ServerError,
  contract,
  isServerError,
  ok,
  pause,
  serverFails,
  settings,
} from '../../support/breaker-contract.js';

contract('CockatielBreakerRegistry', () => new CockatielBreakerRegistry());

describeRedis('RedisBreakerRegistry', () => {
  let redis: RedisServer;
  /** Every link logs here: a fallback to in-process limits would let these tests pass without Redis. */
  const logger = new CaptureLogger();
  const links: RedisLink[] = [];
  /** A registry on its own connection, as another process would have. */
  const registry = (options?: { trialLeaseMs?: number }) => {
    const link = new RedisLink({ url: redis.url, keyPrefix: 'breaker-test:' });
    link.useLogger(logger);
    links.push(link);
    return new RedisBreakerRegistry(link, options);
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    expect(logger.records.filter((r) => r.level === 'warn')).toEqual([]);
    await Promise.all(links.map((link) => link.close()));
    await redis?.stop();
  });

  contract('RedisBreakerRegistry', () => registry());

  it("opens for every process on the fleet's failures, and lets exactly one trial through fleet-wide", async () => {
    const key = randomUUID();
    const fleet = [registry(), registry(), registry()];
    // One failure from each process: three consecutive failures for the fleet.
    for (const member of fleet) {
      await expect(member.execute(key, settings, serverFails, isServerError)).rejects.toBeInstanceOf(
        ServerError,
      );
    }
    const untouched = registry();
    await expect(untouched.execute(key, settings, ok, isServerError)).rejects.toBeInstanceOf(
      CircuitOpenError,
    );
    await pause(HALF_OPEN_MS + 50);
    let calls = 0;
    const slowOk = async () => {
      calls++;
      await pause(100);
      return 'ok';
    };
    const outcomes = await Promise.allSettled(
      fleet.map((member) => member.execute(key, settings, slowOk, isServerError)),
    );
    expect(calls).toBe(1);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(
      outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof CircuitOpenError),
    ).toHaveLength(2);
    await expect(untouched.execute(key, settings, ok, isServerError)).resolves.toBe('ok');
  });

  it('hands the trial to another process when the one holding it died mid-trial', async () => {
    const key = randomUUID();
    const [dying, survivor] = [registry({ trialLeaseMs: 300 }), registry({ trialLeaseMs: 300 })];
    for (let i = 0; i < 3; i++) {
      await expect(dying.execute(key, settings, serverFails, isServerError)).rejects.toBeInstanceOf(
        ServerError,
      );
    }
    await pause(HALF_OPEN_MS + 50);
    // The trial starts and its process goes away before recording an outcome.
    void dying.execute(key, settings, () => new Promise<string>(() => {}), isServerError);
    await pause(50);
    await expect(survivor.execute(key, settings, ok, isServerError)).rejects.toBeInstanceOf(CircuitOpenError);
    await pause(300);
    await expect(survivor.execute(key, settings, ok, isServerError)).resolves.toBe('ok');
  });
});
