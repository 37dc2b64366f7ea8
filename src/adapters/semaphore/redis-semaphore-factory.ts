import type { Clock } from '../../ports/clock.js';
import type { Semaphore, SemaphoreFactory } from '../../ports/semaphore.js';
import type { RedisLink } from '../redis/redis-link.js';
import { FifoSemaphore } from './fifo-semaphore.js';
import { type FleetMembers, RedisSemaphore } from './redis-semaphore.js';
import { checkLeaseMs, type RedisSemaphoreOptions } from './redis-semaphore-options.js';

/** Builds fleet-wide semaphores named by the kernel's (plugin, resource, kind) key. */
export class RedisSemaphoreFactory implements SemaphoreFactory {
  private readonly members: FleetMembers = { busy: new Set(), closed: false };

  constructor(
    private readonly link: RedisLink,
    private readonly clock: Clock,
    private readonly options: RedisSemaphoreOptions & {
      /** Which semaphores the fleet shares (default all); the others stay in-process. */
      share?: (name: string) => boolean;
    } = {},
  ) {
    checkLeaseMs(options.leaseMs);
  }

  /** How many of its semaphores hold leases or have waiters: the ones it keeps (for close). */
  get open(): number {
    return this.members.busy.size;
  }

  create(capacity: number, name?: string): Semaphore {
    if (name === undefined || !(this.options.share?.(name) ?? true)) return new FifoSemaphore(capacity);
    return new RedisSemaphore(capacity, name, this.link, this.clock, this.options, this.members);
  }

  /**
   * Close every busy shared semaphore (see RedisSemaphore.close); an idle one refuses its next caller.
   * The kernel then closes the link.
   */
  async close(): Promise<void> {
    this.members.closed = true;
    await Promise.all([...this.members.busy].map((semaphore) => semaphore.close()));
  }
}
