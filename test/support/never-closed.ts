import { expect } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { SystemClock } from '../../src/adapters/clock/system-clock.js';
import { RedisLink } from '../../src/adapters/redis/redis-link.js';
import { LuaScript } from '../../src/adapters/redis/redis-scripts.js';
import { RedisSemaphoreFactory } from '../../src/adapters/semaphore/redis-semaphore-factory.js';
import { eventually } from './frozen-redis.js';
import { spawnScript } from './spawned-script.js';

/*
 * For the tests that a script with a `shared` Redis that never calls close() exits by itself
 * (never-closed-worker.ts is that script).
 */
const WORKER = fileURLToPath(new URL('./never-closed-worker.ts', import.meta.url));

/** The waiters in the fleet's queue of semaphore `name` (a ticket there: someone waits on Redis). */
const QUEUED = new LuaScript('test-never-closed-queued', `return redis.call('ZCARD', KEYS[1])`);
async function queued(link: RedisLink, name: string): Promise<number> {
  return (await link.run(QUEUED, link.slotKeys(['sem', name], ['queue']), [])) as number;
}

/**
 * A permit of the only one of semaphore `name` (capacity 1; by default the worker's), held by another
 * connection until released; the caller closes `link`.
 */
export async function holdTheOnlyPermit(
  url: string | string[],
  prefix: string,
  cluster = false,
  name = 'nc:jobs:count',
) {
  const link = new RedisLink({ url, keyPrefix: prefix, cluster });
  const semaphore = new RedisSemaphoreFactory(link, new SystemClock()).create(1, name);
  const release = await semaphore.acquire();
  return { link, release };
}

/** Runs the worker against `redis` and the answering API; the exit, once it came by itself. */
export function runWorker(redis: string, api: string, env: Record<string, string> = {}) {
  return spawnScript(WORKER, {
    NC_REDIS: redis,
    NC_BASE_URL: api,
    NC_PREFIX: `nc-${randomUUID()}:`,
    ...env,
  });
}

/**
 * A worker whose only work is a waiter blocked on Redis (another connection holds the only permit) must
 * not exit early (Node's code 13: a top-level await never settled, without the `called` line), and must
 * exit 0 by itself once the permit is released and its call made.
 */
export async function expectServedWaiterToExit(redis: string, api: string, cluster = false): Promise<void> {
  const prefix = `nc-${randomUUID()}:`;
  const holder = await holdTheOnlyPermit(redis, prefix, cluster);
  try {
    const env = { NC_PREFIX: prefix, NC_LIMIT: '1', NC_CLUSTER: cluster ? '1' : '0' };
    const worker = runWorker(redis, api, env);
    await eventually(async () => (await queued(holder.link, 'nc:jobs:count')) === 1);
    holder.release();
    expect(await worker.line((e) => e.event === 'called')).toEqual({ event: 'called', n: 1, ok: true });
    // Before the fix: killed by the guard, the subscriber's socket still referenced as well.
    expect(await worker.exited).toMatchObject({ code: 0, signal: null });
  } finally {
    await holder.link.close();
  }
}
