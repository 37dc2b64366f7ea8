import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { FifoSemaphore } from '../../../src/adapters/semaphore/fifo-semaphore.js';
import { fuzzParams } from '../../support/fuzz.js';

const tick = () => new Promise((r) => setImmediate(r));

/**
 * The semaphore's rules written out plainly, over an array (as the semaphore itself was written before
 * its queue became a linked list): FIFO without barging, an oversized request alone, an aborted waiter
 * leaving (the next ones admitted if it was the head). Each step's grants are compared with it.
 */
class ReferenceSemaphore {
  used = 0;
  exclusive = false;
  readonly queue: { id: number; weight: number }[] = [];
  readonly granted: number[] = [];
  constructor(readonly capacity: number) {}

  fits(weight: number): boolean {
    if (this.exclusive) return false;
    if (weight > this.capacity) return this.used === 0;
    return this.used + weight <= this.capacity;
  }
  take(id: number, weight: number): void {
    if (weight > this.capacity) this.exclusive = true;
    else this.used += weight;
    this.granted.push(id);
  }
  acquire(id: number, weight: number): void {
    if (this.queue.length === 0 && this.fits(weight)) this.take(id, weight);
    else this.queue.push({ id, weight });
  }
  tryAcquire(id: number, weight: number): boolean {
    if (this.queue.length > 0 || !this.fits(weight)) return false;
    this.take(id, weight);
    return true;
  }
  release(weight: number): void {
    if (weight > this.capacity) this.exclusive = false;
    else this.used -= weight;
    this.drain();
  }
  abort(id: number): void {
    const index = this.queue.findIndex((w) => w.id === id);
    if (index !== -1) this.queue.splice(index, 1);
    if (index === 0) this.drain();
  }
  drain(): void {
    while (this.queue.length > 0 && this.fits(this.queue[0].weight)) {
      const { id, weight } = this.queue.shift()!;
      this.take(id, weight);
    }
  }
}

type Step =
  | { kind: 'acquire'; weight: number }
  | { kind: 'wait'; weight: number }
  | { kind: 'try'; weight: number }
  | { kind: 'release'; pick: number }
  | { kind: 'abort'; pick: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('acquire' as const), weight: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('wait' as const), weight: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('try' as const), weight: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('abort' as const), pick: fc.nat() }),
);

describe('FifoSemaphore against a plain array-queue model', () => {
  it('grants the same requests in the same order, with the same waiting count, after every step', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 6 }),
        fc.array(step, { maxLength: 40 }),
        async (capacity, steps) => {
          const sem = new FifoSemaphore(capacity);
          const model = new ReferenceSemaphore(capacity);
          const granted: number[] = [];
          const releases = new Map<number, { release: () => void; weight: number }>();
          const controllers = new Map<number, AbortController>();
          const weights = new Map<number, number>();
          const tickets = new Map<number, string[]>();
          let nextId = 0;
          for (const s of steps) {
            const id = nextId++;
            if (s.kind === 'acquire') {
              const controller = new AbortController();
              controllers.set(id, controller);
              weights.set(id, s.weight);
              model.acquire(id, s.weight);
              sem.acquire(s.weight, controller.signal).then(
                (release) => {
                  granted.push(id);
                  releases.set(id, { release, weight: s.weight });
                },
                () => {},
              );
            } else if (s.kind === 'wait') {
              // The same queue through a ticket: told at once, with no promise in between.
              const controller = new AbortController();
              controllers.set(id, controller);
              model.acquire(id, s.weight);
              const told: string[] = [];
              tickets.set(id, told);
              sem.wait(
                s.weight,
                {
                  granted: (release) => {
                    told.push('granted');
                    granted.push(id);
                    releases.set(id, { release, weight: s.weight });
                  },
                  refused: () => told.push('refused'),
                },
                controller.signal,
              );
            } else if (s.kind === 'try') {
              const release = sem.tryAcquire(s.weight);
              expect(release !== undefined).toBe(model.tryAcquire(id, s.weight));
              if (release) {
                granted.push(id);
                releases.set(id, { release, weight: s.weight });
              }
            } else if (s.kind === 'release') {
              const held = [...releases.keys()];
              if (held.length === 0) continue;
              const which = held[s.pick % held.length];
              const { release, weight } = releases.get(which)!;
              releases.delete(which);
              release();
              release(); // idempotent
              model.release(weight);
            } else {
              const waiting = model.queue.map((w) => w.id);
              if (waiting.length === 0) continue;
              const which = waiting[s.pick % waiting.length];
              controllers.get(which)!.abort();
              model.abort(which);
            }
            await tick();
            // A ticket is told at once, an acquire's caller a microtask later: the same grants, and in
            // the model's order within each kind.
            const ofKind = (ids: number[], ticket: boolean) => ids.filter((g) => tickets.has(g) === ticket);
            expect([...granted].sort((a, b) => a - b)).toEqual([...model.granted].sort((a, b) => a - b));
            expect(ofKind(granted, true)).toEqual(ofKind(model.granted, true));
            expect(ofKind(granted, false)).toEqual(ofKind(model.granted, false));
            expect(sem.waiting).toBe(model.queue.length);
          }
          for (const { release } of releases.values()) release();
          for (const controller of controllers.values()) controller.abort();
          await tick();
          // Every ticket was told exactly once: granted, or refused by its abort.
          for (const told of tickets.values()) expect(told).toHaveLength(1);
        },
      ),
      fuzzParams(200),
    );
  });
  it('keeps the order and the waiting count through a queue long enough to compact its granted slots', async () => {
    // 3,000 waiters (a sampling fan-out's dispatch gate holds ~1,600): the spent slots before the head
    // are dropped past 1,024 of them; every 7th waiter aborts, some of them while at the head.
    const sem = new FifoSemaphore(2);
    const model = new ReferenceSemaphore(2);
    const granted: number[] = [];
    const releases: (() => void)[] = [];
    const controllers = new Map<number, AbortController>();
    for (let id = 0; id < 3_000; id++) {
      const controller = new AbortController();
      controllers.set(id, controller);
      model.acquire(id, 1);
      sem.acquire(1, controller.signal).then(
        (release) => {
          granted.push(id);
          releases.push(release);
        },
        () => {},
      );
    }
    await tick();
    expect(sem.waiting).toBe(2_998);
    for (let round = 0; model.queue.length > 0; round++) {
      if (round % 7 === 3) {
        // Abort the head itself every other time, else one further back.
        const which = model.queue[round % 2 === 0 ? 0 : Math.min(5, model.queue.length - 1)]!.id;
        controllers.get(which)!.abort();
        model.abort(which);
      } else {
        releases.shift()!();
        model.release(1);
      }
      await Promise.resolve();
      await Promise.resolve();
      if (round % 97 === 0) await tick();
      if (round % 97 === 0) expect(granted).toEqual(model.granted);
      expect(sem.waiting).toBe(model.queue.length);
    }
    await tick();
    expect(granted).toEqual(model.granted);
    expect(sem.waiting).toBe(0);
    for (const release of releases) release();
    expect(sem.available).toBe(2);
  });
});
