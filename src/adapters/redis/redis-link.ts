import { createHash } from 'node:crypto';
import { inspect, type InspectOptions } from 'node:util';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import { SystemClock } from '../clock/system-clock.js';
import type { OnRedisUnavailable, SharedStateOptions } from '../../kernel/shared-state-options.js';
import { SharedStateUnavailableError } from '../../kernel/errors/shared-state-unavailable.js';
import { type Connection, connectTo, loadedIoredis, shut } from './redis-connection.js';
import { checkLinkOptions } from './redis-link-options.js';
import { OutageLog } from './redis-outage-log.js';
import { ProcessHold } from './redis-process-hold.js';
import { refusalKind, refusalReason, type RefusalKind } from './redis-refusal.js';

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
    /**
     * Redis answered, as something the options do not describe (a cluster node, `cluster` not set):
     * no retry can help until the process is configured anew.
     */
    readonly setting = false,
  ) {
    super(`Redis unavailable: ${reason}`, { cause });
    this.name = 'RedisUnavailable';
  }
}

/** The error a `'reject'` adapter throws for `error`: its reason, retryable unless a setting is wrong. */
export function rejectedFor(what: string, error: RedisUnavailable): SharedStateUnavailableError {
  return new SharedStateUnavailableError(what, {
    cause: error,
    reason: error.reason,
    setting: error.setting,
  });
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

/**
 * SCRIPT LOAD of every script, on the connection or each master of a cluster (EVALSHA goes to the node
 * of the keys' slot); settles when each has answered or failed. A node that has not (a replica
 * promoted later) gets EVAL on its first NOSCRIPT.
 */
function loadScripts(connection: Connection): Promise<unknown> {
  const nodes = 'nodes' in connection ? connection.nodes('master') : [connection];
  const loads = nodes.flatMap((node) => [...SCRIPTS].map((script) => node.script('LOAD', script.source)));
  return Promise.allSettled(loads);
}

/** A Redis reply as ioredis decodes it (bulk strings, integers, nil, nested arrays). */
export type Reply = string | number | null | Reply[];

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
  private subscriber: Connection | undefined;
  private readonly listeners = new Map<string, Set<() => void>>();
  /** Channels left while the subscriber was away, unsubscribed once it is ready again. */
  private readonly stale = new Set<string>();
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
  /** Why every command fails at once: Redis is a cluster and `cluster` is not set (a setting to fix). */
  private notCluster: string | undefined;
  /** The connections keep the process alive only while a command or a waiter awaits Redis. */
  private readonly alive = new ProcessHold();

  constructor(private readonly options: RedisLinkOptions) {
    this.where = checkLinkOptions(options)
      .map((url) => `${url.hostname}:${url.port || 6379}`)
      .join(',');
    this.prefix = options.keyPrefix ?? 'pristine:';
    this.onUnavailable = options.onUnavailable ?? 'local';
    this.outages = new OutageLog(this.where, this.onUnavailable);
    this.client = connectTo(options, false, this.alive.adopt);
    this.alive.watch(this.client);
    // Failures are reported by the commands that fail; an unhandled 'error' event would crash the process.
    // The socket's own error is kept: it says what happened (ECONNREFUSED), where a command only says
    // that ioredis would not queue it.
    this.client.on('error', (error: Error) => (this.socketError = error));
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
      // A script bug is ours, not an outage: let it surface.
      const reply = replyError(error);
      const refused = this.refusal(error);
      if (reply !== undefined && !UNAVAILABLE.test(reply) && !refused) throw error;
      const notCluster = this.clusterOnly(reply ?? '');
      if (notCluster) this.notCluster = this.reason(error);
      // A command after close() (a late release) is no outage: nothing to log.
      if (!this.closed) this.outages.failed(this.reason(error), notCluster ? 'cluster' : refused);
      // Each later command would wait out the same timeout: every call would pay one per shared decision.
      if (timedOut(error)) this.quietUntil = Math.max(1, this.clock.monotonic() + HUNG_PAUSE_MS);
      const unanswered = timedOut(error) || droppedUnder(error);
      const setting = notCluster || refused !== undefined;
      throw new RedisUnavailable(error, unanswered, this.reason(error), setting);
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
    this.outages.stop();
    // Until QUIT is answered and the sockets end: a script awaiting close() must not exit before.
    await this.holding(() =>
      Promise.all([this.client, this.subscriber].map((connection) => connection && shut(connection))),
    );
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

  private subscriberClient(): Connection {
    if (!this.subscriber) {
      // The subscriber may queue its SUBSCRIBE until connected; ioredis re-subscribes after a reconnect.
      this.subscriber = connectTo(this.options, true, this.alive.adopt);
      this.alive.watch(this.subscriber);
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

  /**
   * Why a command failed, in Redis's terms. With no offline queue, ioredis fails a command sent while
   * the connection is down by naming its own options ("…enableOfflineQueue options is false",
   * "…maxRetriesPerRequest…"), which a user cannot act on: say the connection is lost, and why.
   */
  private reason(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    // A setting to fix: the node answers for its own slots only, and the link does not follow MOVED.
    if (this.clusterOnly(message)) {
      return `Redis is a Redis Cluster node (${message}): set shared.cluster to true`;
    }
    if (refusalKind(replyError(error))) return refusalReason(message);
    if (!LOST.test(message)) return message;
    if (!this.socketError) return 'connection lost';
    // A reply on connect (WRONGPASS, NOAUTH) is a setting to fix, not an outage to wait out.
    const onConnect = replyError(this.socketError);
    if (refusalKind(onConnect)) return refusalReason(this.socketError.message);
    if (onConnect !== undefined) return `Redis refused the connection: ${this.socketError.message}`;
    return `connection lost (${this.socketError.message})`;
  }

  /** Redis refused us access, on this command (NOPERM) or on connecting (NOAUTH, WRONGPASS). */
  private refusal(error: unknown): RefusalKind | undefined {
    const reply = replyError(error);
    if (reply !== undefined) return refusalKind(reply);
    const lost = error instanceof Error && LOST.test(error.message);
    return lost && this.socketError ? refusalKind(replyError(this.socketError)) : undefined;
  }

  /** A reply only a Redis Cluster node gives, to a link not set up for one (`cluster` unset). */
  private clusterOnly(reply: string): boolean {
    return !this.options.cluster && /^(MOVED|ASK|CROSSSLOT)/.test(reply);
  }
}

/**
 * Replies that say Redis cannot answer now (loading, busy, a replica, a failover, a slot moving) or
 * that the keys' node is elsewhere (MOVED or ASK through every redirection ioredis follows, or a
 * cluster node asked without `cluster`): Redis unavailable, not a script bug.
 */
const UNAVAILABLE = /^(LOADING|BUSY|READONLY|MASTERDOWN|NOSCRIPT|CLUSTERDOWN|TRYAGAIN|MOVED|ASK|CROSSSLOT)/;

/** ioredis's (or our) failure of a command sent while the connection is down: see `reason`. */
const LOST = /enableOfflineQueue|maxRetriesPerRequest|Connection is closed|Redis connection is/;

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
  const ioredis = loadedIoredis();
  return ioredis && error instanceof ioredis.ReplyError ? (error as Error).message : undefined;
}
