import { createRequire } from 'node:module';
import type { Cluster, Redis } from 'ioredis';
import { redisSeeds } from '../../kernel/options/redis-seeds.js';

/**
 * ioredis, loaded when the first link is made: it adds about 11 MB of RSS to every process that
 * imports the kernel, and only fleets (`shared: { redis }`) use it. ioredis is CommonJS, so a
 * synchronous `require` keeps the link's constructor synchronous.
 */
let ioredis: typeof import('ioredis') | undefined;
export const loadIoredis = () =>
  (ioredis ??= createRequire(import.meta.url)('ioredis') as typeof import('ioredis'));

/** ioredis if a link has loaded it (an error can only be its ReplyError then). */
export const loadedIoredis = () => ioredis;

/** What a connection is made from: the link's options. */
interface ConnectOptions {
  /** One URL, or a cluster's seed nodes (checked: one scheme, user and password for all). */
  url: string | readonly string[];
  cluster?: boolean;
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
}

/** A single node, or a Redis Cluster (`shared.cluster`). */
export type Connection = Redis | Cluster;

/**
 * A connection to the `redis` URL; with `cluster`, to the Redis Cluster it is a node of (ioredis finds
 * the others and follows MOVED and ASK at once). The subscriber (`queue`) connects at once and queues.
 *
 * Nothing is sent again on a delay. ioredis's cluster client by default resends a command 100 ms after
 * the connection it went out on closed (a master dying under it), and after CLUSTERDOWN or TRYAGAIN,
 * up to 16 times: the dead master may have run it (a token taken twice, a refund counted twice once its
 * replica takes over), and the resend goes out even after the caller was answered by its command
 * timeout (a semaphore lease granted to no one). Meanwhile each call waited out `commandTimeoutMs`, and
 * that timeout paused the link for every slot. So a command whose node is gone fails at once as "Redis
 * unavailable" (unanswered if it was on the wire), as on a single Redis, and the callers fall back or
 * reject until the cluster has promoted a replica, which a MOVED from any node then shows the client.
 */
export function connectTo(options: ConnectOptions, queue: boolean): Connection {
  const { Redis, Cluster } = loadIoredis();
  const common = connectionOptions(options, queue);
  const [url, ...others] = redisSeeds(options.url).map((seed) => new URL(seed));
  if (!url) throw new RangeError('shared.redis must name at least one seed node'); // checked before
  if (!options.cluster) return new Redis(url.href, common);
  const seeds = [url, ...others];
  const { retryStrategy, enableOfflineQueue, lazyConnect, ...perNode } = common;
  // Every seed is tried until one answers (a seed down does not stop the start); all share credentials.
  const nodes = seeds.map((seed) => ({ host: seed.hostname, port: Number(seed.port || 6379) }));
  return new Cluster(nodes, {
    lazyConnect,
    enableOfflineQueue,
    clusterRetryStrategy: retryStrategy,
    retryDelayOnFailover: 0,
    retryDelayOnClusterDown: 0,
    retryDelayOnTryAgain: 0, // retried at once (within the command's timeout), never after it
    redisOptions: {
      ...perNode,
      username: decodeURIComponent(url.username) || undefined,
      password: decodeURIComponent(url.password) || undefined,
      tls: url.protocol === 'rediss:' ? {} : undefined,
    },
  });
}

function connectionOptions(options: ConnectOptions, queue: boolean) {
  return {
    lazyConnect: !queue,
    enableOfflineQueue: queue,
    commandTimeout: options.commandTimeoutMs ?? 1000,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    maxRetriesPerRequest: queue ? null : 0,
    // No grace for a socket at disconnect (default 2 s): on one already dead (Redis down at close),
    // ioredis waits for a 'close' that never comes again, and its timer kept the process alive 2 s
    // after close(). A live one got QUIT first (see shut), or is hung: nothing more to read from it.
    disconnectTimeout: 0,
    // Keep trying to come back, at most once a second.
    retryStrategy: (times: number) => Math.min(50 * 2 ** times, 1000),
  };
}

/** QUIT when connected (Redis drops our state cleanly), else disconnect; settles on 'end' or after 1 s. */
export function shut(connection: Connection): Promise<void> {
  // Between reconnect attempts there is no socket to see end: disconnect only cancels the next attempt.
  if (connection.status === 'end' || connection.status === 'wait' || connection.status === 'reconnecting') {
    connection.disconnect();
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1000);
    timer.unref();
    connection.once('end', () => {
      clearTimeout(timer);
      resolve();
    });
    if (connection.status === 'ready') connection.quit().catch(() => connection.disconnect());
    else connection.disconnect();
  });
}
