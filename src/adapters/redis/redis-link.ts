import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { inspect, type InspectOptions } from 'node:util';
import type { Redis } from 'ioredis';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import { SystemClock } from '../clock/system-clock.js';
import type { OnRedisUnavailable, SharedStateOptions } from '../../kernel/shared-state-options.js';

/**
 * ioredis, loaded when the first link is made: it adds about 11 MB of RSS to every process that
 * imports the kernel, and only fleets (`shared: { redis }`) use it. ioredis is CommonJS, so a
 * synchronous `require` keeps the link's constructor synchronous.
 */
let ioredis: typeof import('ioredis') | undefined;
const loadIoredis = () => (ioredis ??= createRequire(import.meta.url)('ioredis') as typeof import('ioredis'));

/** The connection part of the `shared` option, with its `redis` URL. */
export interface RedisLinkOptions extends Pick<
  SharedStateOptions,
  'keyPrefix' | 'commandTimeoutMs' | 'connectTimeoutMs' | 'onUnavailable'
> {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…`. Never logged (it may carry a password). */
  url: string;
}

/** Redis could not be asked (down, restarting, timed out). The adapters fall back or reject. */
export class RedisUnavailable extends Error {
  constructor(
    cause: unknown,
    /**
     * The command went out and no answer came (a timeout, or the connection dropped under it): Redis
     * may have run it, or may run it yet.
     */
    readonly unanswered = false,
    /** Why, in Redis's terms (a refused password, a lost connection and its cause). Never the URL. */
    readonly reason = cause instanceof Error ? cause.message : String(cause),
  ) {
    super(`Redis unavailable: ${reason}`, { cause });
    this.name = 'RedisUnavailable';
  }
}

/** Every script defined, so a connection can load them all as soon as it is ready. */
const SCRIPTS = new Set<LuaScript>();

/** A Lua script run with EVALSHA; loaded when a connection becomes ready (and again after NOSCRIPT). */
export class LuaScript {
  readonly sha: string;
  constructor(
    readonly name: string,
    readonly source: string,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex');
    SCRIPTS.add(this);
  }
}

/** A Redis reply as ioredis decodes it (bulk strings, integers, nil, nested arrays). */
export type Reply = string | number | null | Reply[];

/**
 * One Redis connection (plus a lazily made subscriber) shared by the rate limiter, semaphores and
 * breakers of one kernel. Commands never queue while Redis is away (`enableOfflineQueue: false`) and
 * each one is bounded by `commandTimeoutMs` (after a timeout, commands fail at once for a second, then
 * one probes), so a dead Redis costs a caller one fast failure, never a
 * hang. The link logs the first failure and the recovery once each, not every failed command.
 */
export class RedisLink {
  readonly prefix: string;
  readonly onUnavailable: OnRedisUnavailable;
  private readonly client: Redis;
  private subscriber: Redis | undefined;
  private readonly listeners = new Map<string, Set<() => void>>();
  /** Channels left while the subscriber was away, unsubscribed once it is ready again. */
  private readonly stale = new Set<string>();
  private connecting: Promise<void> | undefined;
  private down = false;
  private closed = false;
  /**
   * After a command timed out (Redis hung, or a partition: the connection stays open, nothing answers),
   * commands fail at once until then (`clock.monotonic()`: a wall-clock step back must not keep Redis
   * unasked for as long as the step), and then one goes out as a probe. 0: no pause.
   */
  private quietUntil = 0;
  private probing = false;
  private logger: Logger | undefined;
  private clock: Clock = new SystemClock();
  private readonly where: string;
  private socketError: Error | undefined;

  constructor(private readonly options: RedisLinkOptions) {
    const url = redisUrl(options.url);
    checkMs('commandTimeoutMs', options.commandTimeoutMs);
    checkMs('connectTimeoutMs', options.connectTimeoutMs);
    if (options.onUnavailable !== undefined && !['local', 'reject'].includes(options.onUnavailable)) {
      throw new RangeError(`onUnavailable must be 'local' or 'reject', got ${String(options.onUnavailable)}`);
    }
    this.where = `${url.hostname}:${url.port || 6379}`;
    this.prefix = options.keyPrefix ?? 'pristine:';
    this.onUnavailable = options.onUnavailable ?? 'local';
    this.client = new (loadIoredis().Redis)(options.url, this.connectionOptions(false));
    // Failures are reported by the commands that fail; an unhandled 'error' event would crash the process.
    // The socket's own error is kept: it says what happened (ECONNREFUSED), where a command only says
    // that ioredis would not queue it.
    this.client.on('error', (error: Error) => (this.socketError = error));
    // Load the scripts before any command of ours reaches a fresh (or restarted) server: a NOSCRIPT retry
    // would send that command after later ones (a backoff after the acquire that followed it).
    this.client.on('ready', () => {
      this.socketError = undefined; // an earlier outage's reason is not the next one's
      for (const script of SCRIPTS) this.client.script('LOAD', script.source).catch(() => {});
    });
  }

  /** Never the URL or the connections: both carry the password. */
  [inspect.custom](_depth: number, options: InspectOptions): string {
    return `RedisLink ${inspect(this.toJSON(), options)}`;
  }

  toJSON() {
    return { redis: this.where, prefix: this.prefix, down: this.down, closed: this.closed };
  }

  /** close() was called: nothing will be asked of Redis again. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** The logger that reports fallback and recovery (the kernel's). */
  useLogger(logger: Logger): void {
    this.logger = logger;
  }

  /** The clock that times the pause after a timeout (the kernel's). */
  useClock(clock: Clock): void {
    this.clock = clock;
  }

  key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  /** Run a script atomically on the server. Throws RedisUnavailable when Redis cannot answer. */
  async run(script: LuaScript, keys: string[], args: (string | number)[]): Promise<Reply> {
    const probe = this.mayAsk();
    try {
      await this.ready();
      let reply: Reply;
      try {
        reply = (await this.client.evalsha(script.sha, keys.length, ...keys, ...args)) as Reply;
      } catch (error) {
        if (!replyError(error)?.startsWith('NOSCRIPT')) throw error;
        // A fresh (or restarted) server: load the script, then run it by its hash.
        await this.client.script('LOAD', script.source);
        reply = (await this.client.evalsha(script.sha, keys.length, ...keys, ...args)) as Reply;
      }
      this.up();
      this.quietUntil = 0;
      return reply;
    } catch (error) {
      // A script bug is ours, not an outage: let it surface.
      const reply = replyError(error);
      if (reply !== undefined && !/^(LOADING|BUSY|READONLY|MASTERDOWN|NOSCRIPT)/.test(reply)) throw error;
      // A command after close() (a late release) is no outage: nothing to log.
      if (!this.closed) this.fail(error);
      // Each later command would wait out the same timeout: every call would pay one per shared decision.
      if (timedOut(error)) this.quietUntil = Math.max(1, this.clock.monotonic() + HUNG_PAUSE_MS);
      throw new RedisUnavailable(error, timedOut(error) || droppedUnder(error), this.reason(error));
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
    // A late waiter of a closing kernel must not open a connection that nothing would close.
    if (this.closed) return () => {};
    const name = this.prefix + channel;
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
      this.subscriberClient()
        .subscribe(name)
        .catch(() => {
          // Notifications are an optimisation: waiters also poll, with a bounded backoff.
        });
    }
    set.add(listener);
    return () => {
      if (!set.delete(listener) || set.size > 0 || this.listeners.get(name) !== set) return;
      // The last listener left: stop receiving the channel (a key per sampler must not add up).
      this.listeners.delete(name);
      if (this.closed || !this.subscriber) return;
      if (this.subscriber.status === 'ready') this.subscriber.unsubscribe(name).catch(() => {});
      // Away: an UNSUBSCRIBE would wait in the offline queue, its timer outliving close(). ioredis
      // subscribes again to every channel when it is back: drop this one then.
      else this.stale.add(name);
    };
  }

  /** Close both connections and wait (bounded) until their sockets are gone, so nothing outlives close. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.client, this.subscriber].map((connection) => connection && shut(connection)));
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
    const connected = this.client.connect();
    return Promise.race([connected, timeout])
      .finally(() => clearTimeout(timer))
      .finally(() => (this.connecting = undefined));
  }

  private subscriberClient(): Redis {
    if (!this.subscriber) {
      // The subscriber may queue its SUBSCRIBE until connected; ioredis re-subscribes after a reconnect.
      this.subscriber = new (loadIoredis().Redis)(this.options.url, {
        ...this.connectionOptions(true),
        lazyConnect: false,
      });
      this.subscriber.on('error', () => {});
      this.subscriber.on('ready', () => {
        for (const name of this.stale) {
          if (!this.listeners.has(name)) this.subscriber?.unsubscribe(name).catch(() => {});
        }
        this.stale.clear();
      });
      this.subscriber.on('message', (channel: string) => {
        for (const listener of this.listeners.get(channel) ?? []) listener();
      });
    }
    return this.subscriber;
  }

  private connectionOptions(queue: boolean) {
    return {
      lazyConnect: true,
      enableOfflineQueue: queue,
      commandTimeout: this.options.commandTimeoutMs ?? 1000,
      connectTimeout: this.options.connectTimeoutMs ?? 2000,
      maxRetriesPerRequest: queue ? null : 0,
      // No grace for a socket at disconnect (default 2 s): on one already dead (Redis down at close),
      // ioredis waits for a 'close' that never comes again, and its timer kept the process alive 2 s
      // after close(). A live one got QUIT first (see shut), or is hung: nothing more to read from it.
      disconnectTimeout: 0,
      // Keep trying to come back, at most once a second.
      retryStrategy: (times: number) => Math.min(50 * 2 ** times, 1000),
    };
  }

  private fail(error: unknown): void {
    if (this.down) return;
    this.down = true;
    this.logger?.warn(
      this.onUnavailable === 'local'
        ? 'Redis unreachable: fleet-wide limits fall back to in-process ones until it returns'
        : 'Redis unreachable: calls needing fleet-wide limits fail until it returns',
      { redis: this.where, error: this.reason(error) },
    );
  }

  /**
   * Why a command failed, in Redis's terms. With no offline queue, ioredis fails a command sent while
   * the connection is down by naming its own options ("…enableOfflineQueue options is false",
   * "…maxRetriesPerRequest…"), which a user cannot act on: say the connection is lost, and why.
   */
  private reason(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    if (!/enableOfflineQueue|maxRetriesPerRequest|Connection is closed|Redis connection is/.test(message)) {
      return message;
    }
    if (!this.socketError) return 'connection lost';
    // A reply on connect (WRONGPASS, NOAUTH) is a setting to fix, not an outage to wait out.
    if (replyError(this.socketError) !== undefined)
      return `Redis refused the connection: ${this.socketError.message}`;
    return `connection lost (${this.socketError.message})`;
  }

  private up(): void {
    if (!this.down) return;
    this.down = false;
    this.logger?.info('Redis reachable again: fleet-wide limits are shared again', { redis: this.where });
  }
}

/** The parsed URL; never quoted when it is not one (it may carry a password). */
function redisUrl(value: unknown): URL {
  let url: URL | undefined;
  try {
    url = new URL(String(value));
  } catch {
    // The TypeError's `input` holds the URL, password and all: it is not passed on as a cause.
  }
  if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') {
    throw new RangeError('shared.redis must be a redis:// or rediss:// URL with a host');
  }
  return url;
}

/** A timeout a Node timer can wait: positive and finite (a NaN one would never bound anything). */
function checkMs(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value >= 1 && value <= 2_147_483_647)) {
    throw new RangeError(`${name} must be a number of ms from 1 to 2147483647, got ${String(value)}`);
  }
}

/** How long commands fail at once after one timed out, before one probes again (the reconnect cadence). */
const HUNG_PAUSE_MS = 1000;

/** ioredis's `commandTimeout` rejection. */
function timedOut(error: unknown): boolean {
  return error instanceof Error && error.message === 'Command timed out';
}

/** ioredis's rejection of the commands in flight when the connection closed. */
function droppedUnder(error: unknown): boolean {
  return error instanceof Error && error.message === 'Connection is closed.';
}

/** The message of an error Redis replied with (as opposed to a connection failure or timeout). */
function replyError(error: unknown): string | undefined {
  return ioredis && error instanceof ioredis.ReplyError ? (error as Error).message : undefined;
}

/** QUIT when connected (Redis drops our state cleanly), else disconnect; settles on 'end' or after 1 s. */
function shut(connection: Redis): Promise<void> {
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
