import { randomUUID } from 'node:crypto';
import type { Clock } from '../../ports/clock.js';
import type { Release, Semaphore } from '../../ports/semaphore.js';
import { ClientClosedError } from '../../kernel/errors/api-errors.js';
import type { RedisLink } from '../redis/redis-link.js';
import type { Reply } from '../redis/redis-scripts.js';
import { rejectedFor, RedisUnavailable } from '../redis/redis-unavailable.js';
import { untilAborted } from '../../kernel/signals/until-aborted.js';
import { FifoSemaphore } from './fifo-semaphore.js';
import { ProcessTurns } from './process-turns.js';
import { checkLeaseMs, type RedisSemaphoreOptions } from './redis-semaphore-options.js';
import { SemaphoreOrphans } from './redis-semaphore-orphans.js';
import { SEM_ACQUIRE, SEM_LEAVE, SEM_RELEASE, SEM_RENEW } from './redis-semaphore-scripts.js';
import { linkedSignal } from '../../kernel/signals/linked-signal.js';
import { abortErrorFor } from '../../kernel/signals/abort-error-for.js';

/**
 * What a factory shares with its semaphores: the ones with something to give back at close (a lease
 * held, a waiter asking Redis), held only while they have; and whether the factory was closed, which
 * the others learn when next asked.
 */
export interface FleetMembers {
  readonly busy: Set<RedisSemaphore>;
  closed: boolean;
}

/**
 * A fleet-wide weighted FIFO semaphore: every process using the same Redis, key prefix and name shares
 * one budget. Semantics as FifoSemaphore (FIFO without barging, an oversized request runs alone, aborted
 * waiters leave, release is idempotent), across processes:
 *
 * - Waiting is notification-based with a bounded poll: a release or a leaving waiter PUBLISHes, which
 *   wakes this process's waiters at once; without a message a waiter re-asks after 5 ms, doubling up to
 *   `maxPollMs` (messages can be lost while Redis restarts; the poll bounds that).
 * - Holders hold leases that this process renews every `leaseMs / 3`; a holder that dies stops renewing
 *   and its permits return within `leaseMs` (plus one poll). A waiter that dies leaves the queue within
 *   `leaseMs` too, so it never blocks the ones behind it.
 * - Every caller also takes a permit of an in-process semaphore of the same capacity first (the
 *   process never holds more than the fleet may, so it costs no permit), so that while Redis is away
 *   (`onUnavailable: 'local'`) a waiter falls back to a limit that counts the permits this process
 *   already holds: Redis dying under a held permit does not let a second caller of the process in.
 * - `available` is the budget as last seen from Redis; `waiting` counts this process's waiters; `idle`
 *   says this process holds and awaits nothing through it (the kernel may then let it go).
 * - Nothing outside keeps an idle one: the release channel is listened to only while a waiter of this
 *   process asks Redis, and its factory holds it only while it is busy.
 */
export class RedisSemaphore implements Semaphore {
  private readonly held = new Set<string>();
  private readonly wakers = new Set<AbortController>();
  /** Cancels the renewal timer; set while this process holds a lease. */
  private stopRenewing: (() => void) | undefined;
  private lastAvailable: number;
  private localWaiting = 0;
  /** Only the waiter holding the turn asks Redis (one poller per process). */
  private readonly turns = new ProcessTurns();
  private readonly keys: string[];
  private readonly channel: string;
  private readonly leaseMs: number;
  private readonly maxPollMs: number;
  /** The in-process limit every caller passes first, and the only one while Redis is away. */
  private readonly gate: FifoSemaphore;
  /** Aborted by close(): callers waiting for the gate leave with ClientClosedError. */
  private readonly closer = new AbortController();
  private stopListening: (() => void) | undefined;
  /** Tickets or leases Redis may hold for waiters that gave up while it did not answer. */
  private readonly orphans: SemaphoreOrphans;
  /** Waiters of this process with a ticket in the fleet's queue (so close() can take them out). */
  private readonly queued = new Set<string>();
  /** Set by close(): nothing more is asked of Redis, and the permits it gave back are not given again. */
  private closing: Promise<void> | undefined;

  constructor(
    readonly capacity: number,
    readonly name: string,
    private readonly link: RedisLink,
    private readonly clock: Clock,
    private readonly options: RedisSemaphoreOptions = {},
    private readonly members?: FleetMembers,
  ) {
    if (!(capacity >= 0)) throw new RangeError(`Semaphore capacity must be >= 0, got ${capacity}`);
    checkLeaseMs(options.leaseMs);
    this.gate = new FifoSemaphore(capacity);
    this.lastAvailable = capacity;
    this.leaseMs = options.leaseMs ?? 10_000;
    this.maxPollMs = Math.min(options.maxPollMs ?? 200, this.leaseMs / 3);
    // One hash slot on a Redis Cluster (`prefix{sem:name}:part`; `prefix sem:name:part` before round 29).
    this.keys = link.slotKeys(['sem', name], ['holders', 'queue', 'alive', 'meta']);
    this.channel = link.key('sem', name, 'events');
    this.orphans = new SemaphoreOrphans(link, this.keys, this.channel, clock, this.leaseMs / 3, () =>
      this.settle(),
    );
  }

  get available(): number {
    return this.lastAvailable;
  }

  get waiting(): number {
    return this.localWaiting;
  }

  /** Nothing held or awaited through this object in this process (the fleet may still be busy). */
  get idle(): boolean {
    return this.localWaiting === 0 && this.gate.waiting === 0 && this.gate.available >= this.capacity;
  }

  async acquire(weight = 1, signal?: AbortSignal): Promise<Release> {
    if (!(weight >= 0)) throw new RangeError(`Semaphore weight must be >= 0, got ${weight}`);
    if (signal?.aborted) throw abortErrorFor(signal);
    if (this.members?.closed) void this.close();
    if (this.closing) throw closedError(this.name);
    this.localWaiting++;
    this.members?.busy.add(this);
    let local: Release | undefined;
    try {
      local = await this.enter(weight, signal);
      await this.turns.take(signal);
      let remote: Release;
      try {
        remote = await this.link.holding(() => this.poll(weight, signal));
      } finally {
        this.turns.pass();
      }
      return both(remote, local);
    } catch (error) {
      // Only Redis (after the local gate's grant) is unavailable: anything else is the caller's.
      if (!(error instanceof RedisUnavailable) || local === undefined) {
        local?.();
        throw error;
      }
      if (this.link.onUnavailable === 'reject') {
        local?.();
        throw rejectedFor('semaphore', error);
      }
      // Fail open, to this process's limit: the gate's permit is the grant.
      return local;
    } finally {
      this.localWaiting--;
      this.settle();
    }
  }

  /** The in-process permit: at once if it fits, else in line (left when the caller aborts or close() runs). */
  private async enter(weight: number, signal: AbortSignal | undefined): Promise<Release> {
    const now = this.gate.tryAcquire(weight);
    if (now) return now;
    const linked = signal ? linkedSignal(signal, this.closer.signal) : undefined;
    try {
      return await this.gate.acquire(weight, linked ? linked.signal : this.closer.signal);
    } catch (error) {
      if (this.closer.signal.aborted && !signal?.aborted) throw closedError(this.name);
      throw error;
    } finally {
      linked?.unlink();
    }
  }

  /** Ask Redis until granted: woken by release notifications, else re-asking after a bounded backoff. */
  private async poll(weight: number, signal: AbortSignal | undefined): Promise<Release> {
    const id = randomUUID();
    try {
      for (let delay = 5; ; delay = Math.min(delay * 2, this.maxPollMs)) {
        if (this.closing) throw closedError(this.name);
        const waker = new AbortController();
        this.wakers.add(waker);
        try {
          const [granted, available] = (await this.ask(id, weight, signal)) as [number, string];
          this.lastAvailable = Number(available);
          if (granted === 1 && this.closing) {
            // Granted while close() gave back the rest: give this one back too.
            this.giveBack(id).catch(() => {});
            throw closedError(this.name);
          }
          // Granted: no longer a ticket in the queue (it may have been one on an earlier round).
          if (granted === 1) {
            this.queued.delete(id);
            return this.lease(id);
          }
          this.queued.add(id);
          // close() ran while this was asked: its ticket was not among those given back (the catch does).
          if (this.closing) throw closedError(this.name);
          // Told of releases while this process waits; a message lost meanwhile costs one poll.
          this.stopListening ??= this.link.subscribe(`sem:${this.name}:events`, () => this.wakeAll());
          await this.pause(delay, waker, signal);
        } finally {
          this.wakers.delete(waker);
        }
      }
    } catch (error) {
      this.leave(id, error instanceof RedisUnavailable && error.unanswered);
      throw error;
    }
  }

  /**
   * Ask Redis to queue or grant waiter `id`. The caller's signal ends the wait at once, even while the
   * command is on the wire (a slow or frozen Redis): it waited out `commandTimeoutMs` before. Redis may
   * still run that command, so `id` becomes an orphan, taken out as soon as the command settles.
   */
  private ask(id: string, weight: number, signal: AbortSignal | undefined): Promise<Reply> {
    if (signal?.aborted) return Promise.reject(abortErrorFor(signal));
    const asked = this.link.run(SEM_ACQUIRE, this.keys, [
      id,
      weight,
      this.capacity,
      this.leaseMs,
      // The head re-polls at least every maxPollMs; one that stops (crashed) leaves after a lease.
      this.leaseMs,
    ]);
    return untilAborted(asked, signal, () => {
      // Not a ticket to leave (poll's catch): whatever the command made of it is forgotten.
      this.queued.delete(id);
      this.orphan(id, asked);
    });
  }

  /**
   * Stop renewing and listening (the kernel closes), and give back at once, before the link closes,
   * the leases this process holds and the tickets it has queued: the rest of the fleet must not wait a
   * whole lease for a worker that shut down cleanly (the calls that held them were just ended). A
   * release called later sends nothing. Bounded by the link's command timeout.
   */
  close(): Promise<void> {
    this.closing ??= this.giveBackAll();
    return this.closing;
  }

  private async giveBackAll(): Promise<void> {
    this.stopRenewing?.();
    this.stopRenewing = undefined;
    this.stopListening?.();
    this.stopListening = undefined;
    this.closer.abort();
    for (const waker of this.wakers) waker.abort();
    const leases = [...this.held].map((id) => this.giveBack(id));
    const tickets = [...this.queued].map((id) => this.link.run(SEM_LEAVE, this.keys, [id, this.channel]));
    const orphans = this.orphans.forgetAll();
    this.held.clear();
    this.queued.clear();
    this.members?.busy.delete(this);
    // Redis away: the leases and tickets expire on their own within leaseMs.
    await Promise.allSettled([...leases, ...tickets, orphans]);
  }

  private async pause(ms: number, waker: AbortController, signal: AbortSignal | undefined): Promise<void> {
    // Not AbortSignal.any: on Node 20 it leaves an entry per pause in a long-lived caller signal.
    const linked = signal ? linkedSignal(signal, waker.signal) : undefined;
    try {
      await this.clock.sleep(ms, linked ? linked.signal : waker.signal);
    } catch (error) {
      if (signal?.aborted) throw abortErrorFor(signal);
      if (!waker.signal.aborted) throw error;
    } finally {
      linked?.unlink();
    }
  }

  /** Once this process neither holds nor awaits a lease: stop listening, and leave the factory's busy set. */
  private settle(): void {
    if (this.localWaiting > 0 || this.held.size > 0 || this.orphans.size > 0) return;
    this.stopListening?.();
    this.stopListening = undefined;
    this.members?.busy.delete(this);
  }

  private lease(id: string): Release {
    this.held.add(id);
    // On the clock (whose `every` never keeps the process alive), so tests drive renewals.
    this.stopRenewing ??= this.clock.every(this.leaseMs / 3, () => this.renew());
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // After close() the lease went back already (and the link is closing).
      if (this.closing) return;
      this.held.delete(id);
      if (this.held.size === 0) {
        this.stopRenewing?.();
        this.stopRenewing = undefined;
        this.settle();
      }
      // This process's waiters need not wait for the published message.
      this.giveBack(id)
        .then((available) => {
          this.lastAvailable = Number(available);
          this.wakeAll();
        })
        .catch(() => {
          // Redis away: the lease expires on its own within leaseMs.
        });
    };
  }

  private renew(): void {
    const ids = [...this.held];
    if (ids.length === 0) return;
    this.link
      .run(SEM_RENEW, this.keys, [this.leaseMs, ...ids])
      .then((lost) => {
        if (!Array.isArray(lost) || lost.length === 0) return;
        // Redis lost them (restart, or this process stalled past the lease): the fleet may now overshoot.
        for (const id of lost) this.held.delete(String(id));
        this.settle();
        this.options.logger?.warn('Semaphore leases expired before renewal; their permits went back', {
          semaphore: this.name,
          leases: lost.length,
        });
      })
      .catch(() => {
        // Logged by the link; the next renewal tries again.
      });
  }

  /** Give lease `id` back in Redis; resolves with the permits then available. */
  private giveBack(id: string): Promise<Reply> {
    return this.link.run(SEM_RELEASE, this.keys, [id, this.channel, this.capacity]);
  }

  /**
   * Take a waiter that gave up out of the fleet's queue. If its last command went unanswered (Redis may
   * yet run it, queueing or granting it) or Redis cannot be told now, it is an orphan (SemaphoreOrphans).
   */
  private leave(id: string, unanswered: boolean): void {
    const queued = this.queued.delete(id); // false: close() took the ticket out already
    if (unanswered) return this.orphan(id);
    if (!queued) return;
    this.link.run(SEM_LEAVE, this.keys, [id, this.channel]).catch((error: unknown) => {
      if (error instanceof RedisUnavailable) this.orphan(id);
    });
  }

  private orphan(id: string, onTheWire?: Promise<unknown>): void {
    if (this.closing) return;
    this.orphans.add(id, onTheWire);
    this.members?.busy.add(this);
  }

  private wakeAll(): void {
    for (const waker of this.wakers) waker.abort();
  }
}

/** Both permits given back, once. */
function both(remote: Release, local: Release): Release {
  return () => {
    remote();
    local();
  };
}

/** A waiter of a closed semaphore: its kernel was closed, so its call is never sent. */
function closedError(name: string): ClientClosedError {
  return new ClientClosedError(`The client was closed: shared semaphore ${name} no longer admits calls.`);
}
