import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
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

/** ioredis's own connector (not exported by name; `Connector` is an option every connection takes). */
type StandaloneConnector = typeof import('ioredis/built/connectors/StandaloneConnector.js').default;
let standalone: StandaloneConnector | undefined;
const loadStandaloneConnector = () =>
  (standalone ??= (
    createRequire(import.meta.url)('ioredis/built/connectors/StandaloneConnector.js') as {
      default: StandaloneConnector;
    }
  ).default);

/** ioredis if a link has loaded it (an error can only be its ReplyError then). */
export const loadedIoredis = () => ioredis;

/** What a connection is made from: the link's options. */
export interface ConnectOptions {
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
export function connectTo(options: ConnectOptions, queue: boolean, onSocket: OnSocket): Connection {
  const { Redis, Cluster } = loadIoredis();
  const common = connectionOptions(options, queue, onSocket);
  const [url, ...others] = redisSeeds(options.url).map((seed) => new URL(seed));
  if (!url) throw new RangeError('shared.redis must name at least one seed node'); // checked before
  if (!options.cluster) return new Redis(url.href, common);
  const seeds = [url, ...others];
  const { retryStrategy, enableOfflineQueue, lazyConnect, ...perNode } = common;
  // Every seed is tried until one answers (a seed down does not stop the start); all share credentials.
  const nodes = seeds.map((seed) => ({ host: seed.hostname, port: Number(seed.port || 6379) }));
  const cluster = new Cluster(nodes, {
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
  reportSubscriberSockets(cluster, onSocket);
  return cluster;
}

/** The part of ioredis's ClusterSubscriber used here (internal: the tests on a cluster pin it). */
interface ClusterSubscriber {
  selectSubscriber(): void;
  subscriber: Redis | null;
}

/**
 * A cluster subscribes through one connection that ioredis makes anew, with options of its own (not
 * `redisOptions`, so not our connector), each time it picks a node to listen on. Its socket is reported
 * once connected (until then a connect in progress, which ends or fails within ioredis's timeout).
 */
function reportSubscriberSockets(cluster: Cluster, onSocket: OnSocket): void {
  const inner = (cluster as unknown as { subscriber?: ClusterSubscriber }).subscriber;
  const select = inner?.selectSubscriber;
  if (!inner || typeof select !== 'function') return;
  inner.selectSubscriber = function (this: ClusterSubscriber) {
    select.call(this);
    const redis = this.subscriber;
    redis?.once('connect', () => {
      if (redis.stream) onSocket(redis.stream as Socket);
    });
  };
}

/** Told of each socket as soon as a connection opens it. */
export type OnSocket = (socket: Socket) => void;

/**
 * ioredis's connector, telling `onSocket` of each socket it opens. Passed as an option, it reaches every
 * connection ioredis makes from these options: a cluster's node connections (also those it opens later,
 * after a MOVED or a failover) and the ones it duplicates to ask for the slots.
 */
function reportingConnector(onSocket: OnSocket) {
  return class ReportingConnector extends loadStandaloneConnector() {
    // ioredis passes each connection's options (typed `unknown` for any connector).
    constructor(options: unknown) {
      super(options as ConstructorParameters<StandaloneConnector>[0]);
    }

    override async connect(...args: Parameters<InstanceType<StandaloneConnector>['connect']>) {
      const socket = await super.connect(...args);
      onSocket(socket as Socket);
      return socket;
    }
  };
}

function connectionOptions(options: ConnectOptions, queue: boolean, onSocket: OnSocket) {
  return {
    Connector: reportingConnector(onSocket),
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
