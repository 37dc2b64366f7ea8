import type { Clock } from '../../ports/clock.js';

/** Stops the timer of a target once it has been collected (each entry's value is its timer's cancel). */
const timers = new FinalizationRegistry<() => void>((cancel) => cancel());

/**
 * `clock.every(ms, …)` for background work of an object (a session's heartbeat, a telemetry flush, a
 * token refresh) that must not keep that object alive: the timer holds `target` weakly and is cancelled
 * once `target` is garbage-collected (at its next tick at the latest). A strong timer made a client
 * nobody could reach any more (made per request and never closed) uncollectable, its heartbeat running
 * for the process's life; work still in flight holds its own references, so only a client with nothing
 * left to do can go. `tick` is given the target and must not capture it (a closure over it is a strong
 * path again). The returned function stops the timer at once (idempotent).
 */
export function everyWhileReachable<T extends object>(
  clock: Clock,
  ms: number,
  target: T,
  tick: (target: T) => void,
): () => void {
  const ref = new WeakRef(target);
  const token = {};
  const stop = clock.every(ms, () => {
    const alive = ref.deref();
    if (alive) tick(alive);
    else stop();
  });
  timers.register(target, stop, token);
  return () => {
    timers.unregister(token);
    stop();
  };
}
