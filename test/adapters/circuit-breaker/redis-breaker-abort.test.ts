import { expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { RedisBreakerRegistry } from '../../../src/adapters/circuit-breaker/redis-breaker.js';
import { APIUserAbortError } from '../../../src/kernel/errors/api-errors.js';
import { abortedWhileFrozen, frozenRedisSuite, turns } from '../../support/frozen-redis.js';
import { describeRedis } from '../../support/redis-server.js';

/*
 * Found in review (round 27), as for the semaphore and rate limiter: with Redis slow or frozen, a call
 * whose breaker check was on the wire when its signal aborted waited for the command's answer or
 * `commandTimeoutMs`. The signal now ends it at once; if Redis then made the abandoned call the fleet's
 * half-open trial, the trial is handed on at once rather than held for `trialLeaseMs`.
 */

const settings = { halfOpenAfterMs: 1, consecutiveFailures: 1 };
const never = () => Promise.reject(new Error('the abandoned call ran'));

describeRedis('a RedisBreakerRegistry call aborted while Redis has its check', () => {
  const prefix = `breaker-abort-${randomUUID()}:`;
  const suite = frozenRedisSuite(prefix);

  it('ends the call at once, and hands on the half-open trial Redis gave it', async () => {
    const breakers = new RedisBreakerRegistry(suite.link); // trial lease 60 s
    const key = randomUUID();
    // Open, and due for a trial: the next check is the fleet's one trial.
    await suite.admin.hset(`${prefix}breaker:${key}`, 'state', 'open', 'reopen_at', 0);
    const seen = await abortedWhileFrozen(suite.redis, (signal) =>
      breakers.execute(key, settings, never, () => true, signal),
    );
    // Before the fix: 'pending' for the command's whole minute.
    expect(seen).toBeInstanceOf(APIUserAbortError);
    // The next caller gets the trial (before: CircuitOpenError for the trial's minute).
    const other = new RedisBreakerRegistry(suite.link);
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
    const breakers = new RedisBreakerRegistry(suite.link);
    const controller = new AbortController();
    const aborted = new APIUserAbortError();
    let outcome: unknown = 'pending';
    let ran!: () => void;
    const running = new Promise<void>((r) => (ran = r));
    // The call is let through (closed), then Redis freezes and the caller gives up mid-call.
    const called = breakers
      .execute(
        randomUUID(),
        settings,
        () => {
          suite.redis.pause();
          controller.abort();
          ran();
          return Promise.reject(aborted);
        },
        () => false,
        controller.signal,
      )
      .then(
        () => (outcome = 'ran'),
        (error: unknown) => (outcome = error),
      );
    await running;
    await turns();
    const seen = outcome;
    suite.redis.unpause();
    await called;
    // Before the fix: 'pending' until the outcome's command was answered (here, a minute).
    expect(seen).toBe(aborted);
  });
});
