import { afterAll, beforeAll } from '@jest/globals';
import { Redis } from 'ioredis';
import { RedisLink } from '../../src/adapters/redis/redis-link.js';
import { RedisServer } from './redis-server.js';

/** A few turns of the event loop: enough for anything already decided to settle, nothing on the wire. */
export async function turns(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
}

/** Settles when `check` holds (polling on the event loop), so Redis round trips can land. */
export async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; !(await check()); i++) {
    if (i > 5000) throw new Error('condition never held');
    await new Promise((r) => setTimeout(r, 1));
  }
}

/**
 * Starts `start` while `redis` is frozen (SIGSTOP: its first command stays on the wire), aborts its
 * signal, and returns what it had settled to a few turns later ('pending' if nothing: it waits for
 * Redis), then lets Redis answer and waits for it to settle.
 */
export async function abortedWhileFrozen(
  redis: RedisServer,
  start: (signal: AbortSignal) => Promise<unknown>,
): Promise<unknown> {
  redis.pause();
  const controller = new AbortController();
  let outcome: unknown = 'pending';
  const started = start(controller.signal).then(
    () => (outcome = 'settled'),
    (error: unknown) => (outcome = error),
  );
  await turns();
  controller.abort();
  await turns();
  const seen = outcome;
  redis.unpause();
  await started;
  return seen;
}

/**
 * A suite's redis-server (started before its tests, stopped after), an admin connection to look at its
 * keys, and a link with key prefix `prefix` whose commands wait up to a minute, so a frozen Redis holds
 * them on the wire. Read its fields inside the tests.
 */
export function frozenRedisSuite(prefix: string): { redis: RedisServer; admin: Redis; link: RedisLink } {
  const suite = {} as { redis: RedisServer; admin: Redis; link: RedisLink };
  beforeAll(async () => {
    suite.redis = await RedisServer.start();
    suite.admin = new Redis(suite.redis.url);
    suite.link = new RedisLink({ url: suite.redis.url, keyPrefix: prefix, commandTimeoutMs: 60_000 });
  });
  afterAll(async () => {
    suite.redis?.unpause();
    await suite.link?.close();
    suite.admin?.disconnect();
    await suite.redis?.stop();
  });
  return suite;
}
