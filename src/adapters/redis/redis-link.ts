import { inspect, type InspectOptions } from 'node:util';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import { SystemClock } from '../clock/system-clock.js';
import type { OnRedisUnavailable, SharedStateOptions } from '../../kernel/shared-state-options.js';
import { RedisChannels } from './redis-channels.js';
import { type Connection, connectTo, shut } from './redis-connection.js';
import { failedSelect } from './redis-database.js';
import { readFailure, replyError } from './redis-failure.js';
import { checkLinkOptions } from './redis-link-options.js';
import { OutageLog } from './redis-outage-log.js';
import { ProcessHold } from './redis-process-hold.js';
import { type LuaScript, loadScripts, type Reply } from './redis-scripts.js';
import { RedisUnavailable } from './redis-unavailable.js';

/** The connection part of the `shared` option, with its `redis` URL. */
export interface RedisLinkOptions extends Pick<
  SharedStateOptions,
  'keyPrefix' | 'commandTimeoutMs' | 'connectTimeoutMs' | 'onUnavailable' | 'cluster'
> {
  /**
   * `redis://[user:password@]host:port[/db]` or `rediss://…`; with `cluster`, a list of seed nodes (one
   * scheme, user and password). Never logged (it may carry a password).
   */
  url: string | readonly string[];
}

/**
 * One Redis connection (plus a lazily made subscriber) shared by the rate limiter, semaphores and
 * breakers of one kernel. Commands never queue while Redis is away (`enableOfflineQueue: false`) and
 * each one is bounded by `commandTimeoutMs` (after a timeout, commands fail at once for a second, then
 * one probes), so a dead Redis costs a caller one fast failure, never a
 * hang. The link logs the first failure and the recovery once each, not every failed command (a
 * flapping cluster's flips summed up: OutageLog).
 */
export class RedisLink {
  readonly prefix: string;
  readonly onUnavailable: OnRedisUnavailable;
  private readonly client: Connection;
  private readonly channels: RedisChannels;
  private connecting: Promise<void> | undefined;
  private closed = false;
  /**
   * After a command timed out (Redis hung, or a partition: the connection stays open, nothing answers),
   * commands fail at once until then (`clock.monotonic()`: a wall-clock step back must not keep Redis
   * unasked for as long as the step), and then one goes out as a probe. 0: no pause.
   */
  private quietUntil = 0;
  private probing = false;
  /** Logs the outages and recoveries, a flapping cluster's summed up. */
  private readonly outages: OutageLog;
  private clock: Clock = new SystemClock();
  private readonly where: string;
  private socketError: Error | undefined;
  /**
   * Redis's reply to the SELECT of this connection's handshake, when it has no such database: every
   * command would run on database 0, so each fails with it instead (a setting to fix). A reconnect
   * selects anew (a server restarted with more databases ends it).
   */
  private selectError: Error | undefined;
  /** Why every command fails at once: Redis is a cluster and `cluster` is not set (a setting to fix). */
  private notCluster: string | undefined;
  /** The connections keep the process alive only while a command or a waiter awaits Redis. */
  private readonly alive = new ProcessHold();
  private logger: Logger | undefined;
  /** A refused SUBSCRIBE was logged: once per link, as every channel of the user is refused alike. */
  private saidChannelRefused = false;

  constructor(private readonly options: RedisLinkOptions) {
    this.where = checkLinkOptions(options)
      .map((url) => `${url.hostname}:${url.port || 6379}`)
      .join(',');
    this.prefix = options.keyPrefix ?? 'pristine:';
    this.onUnavailable = options.onUnavailable ?? 'local';
    this.outages = new OutageLog(this.where, this.onUnavailable);
    this.client = connectTo(options, false, this.alive.adopt);
    this.alive.watch(this.client);
    this.channels = new RedisChannels(options, this.alive, (reply) => this.channelRefused(reply));
    // Failures are reported by the commands that fail; an unhandled 'error' event would crash the process.
    // The socket's own error is kept: it says what happened (ECONNREFUSED), where a command only says
    // that ioredis would not queue it.
    this.client.on('error', (error: Error) => {
      if (failedSelect(error) === undefined) this.socketError = error;
      else this.selectError = error;
    });
    // Emitted (on the next tick) as the handshake goes out, before its replies.
    this.client.on('connect', () => (this.selectError = undefined));
    // Load the scripts before any command of ours reaches a fresh (or restarted) server: a NOSCRIPT retry
    // would send that command after later ones (a backoff after the acquire that followed it).
    this.client.on('ready', () => {
      this.socketError = undefined; // an earlier outage's reason is not the next one's
      void loadScripts(this.client);
    });
  }

  /** Never the URL or the connections: both carry the password. */
  [inspect.custom](_depth: number, options: InspectOptions): string {
    return `RedisLink ${inspect(this.toJSON(), options)}`;
  }

  toJSON() {
    return { redis: this.where, prefix: this.prefix, down: this.outages.down, closed: this.closed };
  }

  /** close() was called: nothing will be asked of Redis again. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** The logger that reports fallback and recovery (the kernel's). */
  useLogger(logger: Logger): void {
    this.logger = logger;
    this.outages.useLogger(logger);
  }

  /** The clock that times the pause after a timeout (the kernel's). */
  useClock(clock: Clock): void {
    this.clock = clock;
    this.outages.useClock(clock);
  }

  key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  /**
   * The keys of one structure that a script changes together: `{tag}:part` each, so a Redis Cluster
   * puts them in one hash slot (a script's keys must share a slot there, or it fails with CROSSSLOT).
   * Only what follows the tag differs, so the slot is the same also when the prefix holds a brace.
   */
  slotKeys(tag: string[], parts: string[]): string[] {
    const base = `${this.prefix}{${tag.join(':')}}`;
    return parts.map((part) => (part === '' ? base : `${base}:${part}`));
  }

  /**
   * Keep the process alive (the connections referenced) until `work` settles: a waiter between two
   * polls, listening for a release, is work a script must not exit in the middle of.
   */
  async holding<T>(work: () => Promise<T>): Promise<T> {
    const release = this.alive.hold();
    try {
      return await work();
    } finally {
      release();
    }
  }

  /** Run a script atomically on the server. Throws RedisUnavailable when Redis cannot answer. */
  async run(script: LuaScript, keys: string[], args: (string | number)[]): Promise<Reply> {
    // A cluster node asked as a single Redis answers for its own slots only: no limit is shared then.
    if (this.notCluster) throw new RedisUnavailable(this.notCluster, false, this.notCluster, true);
    return this.holding(() => this.send(script, keys, args));
  }

  private async send(script: LuaScript, keys: string[], args: (string | number)[]): Promise<Reply> {
    const probe = this.mayAsk();
    try {
      await this.ready();
      if (this.selectError) throw this.selectError;
      let reply: Reply;
      try {
        reply = (await this.client.evalsha(script.sha, keys.length, ...keys, ...args)) as Reply;
      } catch (error) {
        if (!replyError(error)?.startsWith('NOSCRIPT')) throw error;
        // A fresh (or restarted, or newly promoted) server: EVAL loads the script on the node that
        // owns the keys (a SCRIPT LOAD on a cluster would go to any node) and runs it.
        reply = (await this.client.eval(script.source, keys.length, ...keys, ...args)) as Reply;
      }
      this.outages.succeeded();
      this.quietUntil = 0;
      return reply;
    } catch (error) {
      const failure = readFailure(error, { socketError: this.socketError, cluster: this.options.cluster });
      // A script bug is ours, not an outage: let it surface.
      if (!failure) throw error;
      const { reason, misconfigured, notCluster } = failure;
      if (notCluster) this.notCluster = reason;
      // A command after close() (a late release) is no outage: nothing to log.
      if (!this.closed) this.outages.failed(reason, notCluster ? 'cluster' : misconfigured);
      // Each later command would wait out the same timeout: every call would pay one per shared decision.
      if (failure.timedOut) this.quietUntil = Math.max(1, this.clock.monotonic() + HUNG_PAUSE_MS);
      throw new RedisUnavailable(
        error,
        failure.unanswered,
        reason,
        notCluster || misconfigured !== undefined,
      );
    } finally {
      if (probe) this.probing = false;
    }
  }

  /**
   * Whether this command is the probe after a timeout; throws (the caller falls back at once) while
   * the pause after a timeout lasts, or while another command probes.
   */
  private mayAsk(): boolean {
    if (this.quietUntil === 0) return false;
    if (this.probing || this.clock.monotonic() < this.quietUntil) {
      const timeoutMs = this.options.commandTimeoutMs ?? 1000;
      throw new RedisUnavailable(
        `not asked: a command timed out (${timeoutMs} ms) and Redis is tried again once a second`,
      );
    }
    this.probing = true;
    return true;
  }

  /** Call `listener` for each message on `channel` (the key prefix is added) until the returned stop. */
  subscribe(channel: string, listener: () => void): () => void {
    return this.channels.subscribe(this.prefix + channel, listener);
  }

  /**
   * Redis 7 gives a new ACL user no channels: the limits still hold, but nothing wakes a waiter when a
   * permit comes back, so each asks again after its poll delay. Not an outage; a setting to fix.
   */
  private channelRefused(reply: string): void {
    if (this.saidChannelRefused) return;
    this.saidChannelRefused = true;
    this.logger?.warn(
      `Redis refused the release notifications (NOPERM): waiters of fleet-wide semaphores ask again up to 200 ms later instead of being woken; let the user of shared.redis subscribe and publish on the channels of its key prefix (ACL rules +subscribe +publish &${this.prefix}*)`,
      { redis: this.where, error: reply },
    );
  }

  /** Close both connections and wait (bounded) until their sockets are gone, so nothing outlives close. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.outages.stop();
    // Until QUIT is answered and the sockets end: a script awaiting close() must not exit before.
    await this.holding(() => Promise.all([shut(this.client), this.channels.close()]));
  }

  private async ready(): Promise<void> {
    if (this.closed) throw new Error('the Redis link is closed');
    const status = this.client.status;
    if (status === 'ready') return;
    if (status === 'wait') this.connecting = this.connectOnce();
    // While reconnecting after an outage, fail fast: callers fall back rather than wait for Redis.
    if (!this.connecting || status === 'reconnecting' || status === 'end' || status === 'close') {
      throw new Error(`Redis connection is ${status}`);
    }
    await this.connecting;
  }

  private connectOnce(): Promise<void> {
    const timeoutMs = this.options.connectTimeoutMs ?? 2000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis connect timed out after ${timeoutMs} ms`)), timeoutMs);
    });
    // A cluster's 'ready' comes after connect() resolves: load before the first command goes out.
    const client = this.client;
    const connected = client.connect().then(async () => {
      if ('nodes' in client) await loadScripts(client);
    });
    return Promise.race([connected, timeout])
      .finally(() => clearTimeout(timer))
      .finally(() => (this.connecting = undefined));
  }
}

/** How long commands fail at once after one timed out, before one probes again (the reconnect cadence). */
const HUNG_PAUSE_MS = 1000;
