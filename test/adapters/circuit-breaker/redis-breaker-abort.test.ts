import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisBreakerRegistry } from '../../../src/adapters/circuit-breaker/redis-breaker.js';
import { RedisLink } from '../../../src/adapters/redis/redis-link.js';
import { APIUserAbortError } from '../../../src/kernel/errors/api-errors.js';
import { RedisServer, describeRedis } from '../../support/redis-server.js';

/*
 * Found in review (round 27), as for the semaphore and rate limiter: with Redis slow or frozen, a call
 * whose breaker check was on the wire when its signal aborted waited for the command's answer or
 * `commandTimeoutMs`. The signal now ends it at once; if Redis then made the abandoned call the fleet's
 * half-open trial, the trial is handed on at once rather than held for `trialLeaseMs`.
 */

/** A few turns of the event loop: enough for anything already decided to settle, nothing on the wire. */
async function turns(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
}

const settings = { halfOpenAfterMs: 1, consecutiveFailures: 1 };
const never = () => Promise.reject(new Error('the abandoned call ran'));

describeRedis('a RedisBreakerRegistry call aborted while Redis has its check', () => {
  let redis: RedisServer;
  let admin: Redis;
  let link: RedisLink;
  const prefix = `breaker-abort-${randomUUID()}:`;

  beforeAll(async () => {
    redis = await RedisServer.start();
    admin = new Redis(redis.url);
    link = new RedisLink({ url: redis.url, keyPrefix: prefix, commandTimeoutMs: 60_000 });
  });
  afterAll(async () => {
    redis?.unpause();
    await link?.close();
    admin?.disconnect();
    await redis?.stop();
  });

  it('ends the call at once, and hands on the half-open trial Redis gave it', async () => {
    const breakers = new RedisBreakerRegistry(link); // trial lease 60 s
    const key = randomUUID();
    // Open, and due for a trial: the next check is the fleet's one trial.
    await admin.hset(`${prefix}breaker:${key}`, 'state', 'open', 'reopen_at', 0);
    redis.pause();
    const controller = new AbortController();
    let outcome: unknown = 'pending';
    const called = breakers
      .execute(key, settings, never, () => true, controller.signal)
      .then(
        () => (outcome = 'ran'),
        (error: unknown) => (outcome = error),
      );
    await turns();
    controller.abort();
    await turns();
    const seen = outcome;
    redis.unpause();
    await called;
    // Before the fix: 'pending' for the command's whole minute.
    expect(seen).toBeInstanceOf(APIUserAbortError);
    // The next caller gets the trial (before: CircuitOpenError for the trial's minute).
    const other = new RedisBreakerRegistry(link);
    let result: unknown;
    for (let i = 0; i < 5000 && result !== 'trial ran'; i++) {
      result = await other
        .execute(
          key,
          settings,
          () => Promise.resolve('trial ran'),
          () => true,
        )
        .catch((e: unknown) => e);
    }
    expect(result).toBe('trial ran');
    expect(other.state(key)).toBe('closed');
  });

  it("does not hold an aborted call's outcome until Redis takes it", async () => {
    const breakers = new RedisBreakerRegistry(link);
    const controller = new AbortController();
    const aborted = new APIUserAbortError();
    let outcome: unknown = 'pending';
    // The call is let through (closed), then Redis freezes and the caller gives up mid-call.
    const called = breakers
      .execute(
        randomUUID(),
        settings,
        () => {
          redis.pause();
          controller.abort();
          return Promise.reject(aborted);
        },
        () => false,
        controller.signal,
      )
      .then(
        () => (outcome = 'ran'),
        (error: unknown) => (outcome = error),
      );
    await turns();
    const seen = outcome;
    redis.unpause();
    await called;
    // Before the fix: 'pending' until the outcome's command was answered (here, a minute).
    expect(seen).toBe(aborted);
  });
});
