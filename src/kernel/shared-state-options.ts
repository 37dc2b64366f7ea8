/** What the shared adapters do while Redis cannot be reached. */
export type OnRedisUnavailable = 'local' | 'reject';

/** `createKernel({ shared: { redis: 'redis://…' } })`: rate limits, semaphores and breakers for a fleet. */
export interface SharedStateOptions {
  /**
   * The Redis every process of the fleet uses. Credentials in it are redacted like API keys. With
   * `cluster`, a list of seed nodes may be given (the same scheme, user and password in each): the link
   * starts from any of them that answers, so one seed down does not stop a process starting.
   */
  redis: string | readonly string[];
  /**
   * `redis` is a node (or are seed nodes) of a Redis Cluster (cluster mode of ElastiCache, Memorystore,
   * Azure…): the others are found from it, and each limiter's keys share a hash slot. Default false.
   */
  cluster?: boolean;
  /** Prepended to every key and channel, so fleets (or tests) sharing one Redis stay apart. */
  keyPrefix?: string;
  /** Bound on each command, so a hung Redis never hangs a call. Default 1000 ms. */
  commandTimeoutMs?: number;
  /** Bound on the first connect. Default 2000 ms. */
  connectTimeoutMs?: number;
  /**
   * `'local'` (default, fail open): fall back to this process's in-process limits until Redis returns.
   * `'reject'` (fail closed): calls that need shared state reject with SharedStateUnavailableError.
   */
  onUnavailable?: OnRedisUnavailable;
  /** Semaphore leases: a crashed holder's permits come back within this. Default 10 s. */
  leaseMs?: number;
  /** The fleet's one half-open trial may run this long before another may try. Default 60 s. */
  trialLeaseMs?: number;
  /** Which semaphores (named `plugin:resource:count|weight`) the fleet shares; default all. */
  shareSemaphore?: (name: string) => boolean;
}
