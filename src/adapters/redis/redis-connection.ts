import { createRequire } from 'node:module';
import type { Cluster, Redis } from 'ioredis';

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
  url: string;
  cluster?: boolean;
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
}

/** A single node, or a Redis Cluster (`shared.cluster`). */
export type Connection = Redis | Cluster;

/**
 * A connection to the `redis` URL; with `cluster`, to the Redis Cluster it is a node of (ioredis finds
 * the others, follows MOVED and ASK, and retries CLUSTERDOWN and TRYAGAIN a bounded number of times,
 * each send bounded by `commandTimeoutMs`). The subscriber (`queue`) connects at once and queues.
 */
export function connectTo(options: ConnectOptions, queue: boolean): Connection {
  const { Redis, Cluster } = loadIoredis();
  const common = connectionOptions(options, queue);
  if (!options.cluster) return new Redis(options.url, common);
  const url = new URL(options.url);
  const { retryStrategy, enableOfflineQueue, lazyConnect, ...perNode } = common;
  return new Cluster([{ host: url.hostname, port: Number(url.port || 6379) }], {
    lazyConnect,
    enableOfflineQueue,
    clusterRetryStrategy: retryStrategy,
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
