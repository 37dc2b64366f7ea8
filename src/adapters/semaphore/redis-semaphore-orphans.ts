import type { Clock } from '../../ports/clock.js';
import type { RedisLink } from '../redis/redis-link.js';
import { SEM_FORGET } from './redis-semaphore-scripts.js';

/** How often orphans are retried (at most): the link's reconnect and probe cadence. */
const TIDY_MS = 1000;

/**
 * Tickets or leases that Redis may hold for waiters of one semaphore that gave up while it did not
 * answer: their last command went out unanswered (a hung Redis, a dropped connection; Redis may run it
 * yet, queueing or granting it), or their leave could not be sent. Without this, such an orphan stayed
 * for a whole lease (its ticket's heartbeat, or the lease the late command won), and after a one-second
 * stall the fleet's queue waited behind it. Each is taken out (SEM_FORGET) once Redis answers, asked
 * again on the clock until then (the link fails at once meanwhile).
 */
export class SemaphoreOrphans {
  private readonly ids = new Set<string>();
  private stopTidying: (() => void) | undefined;

  constructor(
    private readonly link: RedisLink,
    private readonly keys: string[],
    private readonly channel: string,
    private readonly clock: Clock,
    private readonly periodMs: number,
    /** Told when the last one is gone. */
    private readonly onEmpty: () => void,
  ) {}

  get size(): number {
    return this.ids.size;
  }

  /**
   * `onTheWire`: the command still out for it (its caller's signal aborted meanwhile). It is asked for
   * as soon as that command settles (commands on one connection run in order), not a round later.
   */
  add(id: string, onTheWire?: Promise<unknown>): void {
    this.ids.add(id);
    this.stopTidying ??= this.clock.every(Math.min(TIDY_MS, this.periodMs), () => this.tidy());
    const now = () => this.tidyOne(id);
    onTheWire?.then(now, now);
  }

  /** Ask once more for every orphan and stop retrying (the semaphore closes); settles when answered. */
  async forgetAll(): Promise<void> {
    this.stop();
    const ids = [...this.ids];
    this.ids.clear();
    await Promise.allSettled(ids.map((id) => this.forget(id)));
  }

  private tidy(): void {
    for (const id of this.ids) this.tidyOne(id);
  }

  private tidyOne(id: string): void {
    if (!this.ids.has(id)) return;
    this.forget(id).then(
      () => {
        if (!this.ids.delete(id) || this.ids.size > 0) return;
        this.stop();
        this.onEmpty();
      },
      () => {
        // Still away: the next round asks again. Closed: the orphans expire on their own within a lease.
        if (this.link.isClosed) this.stop();
      },
    );
  }

  private forget(id: string) {
    return this.link.run(SEM_FORGET, this.keys, [id, this.channel]);
  }

  private stop(): void {
    this.stopTidying?.();
    this.stopTidying = undefined;
  }
}
