import { type Connection, type ConnectOptions, connectTo, shut } from './redis-connection.js';
import { replyError } from './redis-failure.js';
import { refusalKind } from './redis-refusal.js';
import type { ProcessHold } from './redis-process-hold.js';

/**
 * The link's Pub/Sub side: one subscriber connection, made on the first subscribe (a kernel that never
 * waits for a release opens none), shared by every listener of every channel.
 */
export class RedisChannels {
  private subscriber: Connection | undefined;
  private readonly listeners = new Map<string, Set<() => void>>();
  /** Channels left while the subscriber was away, unsubscribed once it is ready again. */
  private readonly stale = new Set<string>();
  private closed = false;

  constructor(
    private readonly options: ConnectOptions,
    private readonly alive: ProcessHold,
    /** Redis refused a SUBSCRIBE (NOPERM: the user has no rights to the channel); Redis's reply. */
    private readonly onRefused: (reply: string) => void,
  ) {}

  /** Call `listener` for each message on `name` (prefixed already) until the returned stop. */
  subscribe(name: string, listener: () => void): () => void {
    // A late waiter of a closing kernel must not open a connection that nothing would close.
    if (this.closed) return () => {};
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
      this.subscriberClient()
        .subscribe(name)
        .catch((error: unknown) => {
          // Notifications are an optimisation: waiters also poll, with a bounded backoff. A refusal
          // lasts (an ACL without the channel), so it is said; a connection lost is retried by ioredis.
          const reply = replyError(error);
          if (reply !== undefined && refusalKind(reply) === 'NOPERM') this.onRefused(reply);
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

  /** Close the subscriber (if one was made) and wait, bounded, until its socket is gone. */
  close(): Promise<void> {
    this.closed = true;
    return this.subscriber ? shut(this.subscriber) : Promise.resolve();
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
}
