import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { CockatielBreakerRegistry } from '../../../src/adapters/circuit-breaker/cockatiel-breaker.js';
import { RedisBreakerRegistry } from '../../../src/adapters/circuit-breaker/redis-breaker.js';
import { CaptureLogger } from '../../../src/adapters/logger/capture-logger.js';
import { RedisLink } from '../../../src/adapters/redis/redis-link.js';
import { APIUserAbortError, CircuitOpenError } from '../../../src/kernel/errors/api-errors.js';
import type { BreakerStateChange, CircuitBreakerRegistry } from '../../../src/ports/circuit-breaker.js';
import { RedisServer, describeRedis } from '../../support/redis-server.js';

/*
 * What every CircuitBreaker adapter promises, run against cockatiel's and the Redis one on the real
 * clock (Redis keeps time on the server), with a short half-open delay.
 */

class ServerError extends Error {}
class ClientError extends Error {}
const isServerError = (e: unknown) => e instanceof ServerError;
const HALF_OPEN_MS = 300;
const settings = { consecutiveFailures: 3, halfOpenAfterMs: HALF_OPEN_MS };
const ok = async () => 'ok';
const serverFails = async (): Promise<string> => {
  throw new ServerError('503');
};
const clientFails = async (): Promise<string> => {
  throw new ClientError('404');
};
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function harness(registry: CircuitBreakerRegistry) {
  const key = randomUUID();
  const changes: string[] = [];
  registry.onStateChange((c: BreakerStateChange) => changes.push(`${c.from}->${c.to}`));
  const run = (fn: () => Promise<string>) => registry.execute(key, settings, fn, isServerError);
  const fail = async (times: number) => {
    for (let i = 0; i < times; i++) await expect(run(serverFails)).rejects.toBeInstanceOf(ServerError);
  };
  return { key, changes, run, fail };
}

function contract(name: string, make: () => CircuitBreakerRegistry) {
  describe(`CircuitBreaker contract: ${name}`, () => {
    it('opens after N consecutive failures and then fails fast without calling fn', async () => {
      const registry = make();
      const { key, changes, run, fail } = harness(registry);
      await fail(2);
      expect(registry.state(key)).toBe('closed');
      await fail(1);
      expect(registry.state(key)).toBe('open');
      const fn = jest.fn(ok);
      for (let i = 0; i < 3; i++) await expect(run(fn)).rejects.toBeInstanceOf(CircuitOpenError);
      expect(fn).not.toHaveBeenCalled();
      expect(changes).toEqual(['closed->open']);
    });

    it('lets one trial through after halfOpenAfterMs, failing the others fast; success closes afresh', async () => {
      const registry = make();
      const { key, changes, run, fail } = harness(registry);
      await fail(3);
      await pause(HALF_OPEN_MS + 50);
      let finishTrial!: (value: string) => void;
      const trial = run(() => new Promise<string>((resolve) => (finishTrial = resolve)));
      // The trial starts once the breaker (maybe in Redis) said so.
      for (let i = 0; i < 500 && !finishTrial; i++) await pause(1);
      const other = jest.fn(ok);
      await expect(run(other)).rejects.toBeInstanceOf(CircuitOpenError);
      expect(other).not.toHaveBeenCalled();
      finishTrial('ok');
      await expect(trial).resolves.toBe('ok');
      expect(registry.state(key)).toBe('closed');
      expect(changes).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
      await fail(2); // a fresh count: two failures do not reopen it
      expect(registry.state(key)).toBe('closed');
    });

    it('reopens when the trial fails', async () => {
      const registry = make();
      const { key, run, fail } = harness(registry);
      await fail(3);
      await pause(HALF_OPEN_MS + 50);
      await fail(1); // the trial
      expect(registry.state(key)).toBe('open');
      await expect(run(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    });

    it('treats errors the predicate does not count as neutral, passing them through unchanged', async () => {
      const registry = make();
      const { key, run, fail } = harness(registry);
      await fail(2);
      const error = await run(clientFails).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ClientError);
      await fail(1); // the 404 neither counted nor reset the count
      expect(registry.state(key)).toBe('open');
    });

    it('opens exactly when the failure rate over the window passes the threshold, given enough traffic', async () => {
      const registry = make();
      const key = randomUUID();
      const rate = {
        failureRateThreshold: 0.5,
        samplingWindowMs: 5_000,
        minimumRps: 0.8,
        halfOpenAfterMs: 60_000,
      };
      const call = (fn: () => Promise<string>) => registry.execute(key, rate, fn, isServerError);
      const failing = () => expect(call(serverFails)).rejects.toBeInstanceOf(ServerError);
      await call(ok);
      await call(ok);
      await failing(); // 1 of 3: below the 4 calls the window needs
      await failing(); // 2 of 4: not above half
      expect(registry.state(key)).toBe('closed');
      await failing(); // 3 of 5
      expect(registry.state(key)).toBe('open');
    });

    it('does not spend a call whose signal is already aborted', async () => {
      const registry = make();
      const fn = jest.fn(ok);
      await expect(
        registry.execute('k', settings, fn, isServerError, AbortSignal.abort()),
      ).rejects.toBeInstanceOf(APIUserAbortError);
      expect(fn).not.toHaveBeenCalled();
    });
  });
}

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
