import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * Collect garbage until `ref`'s target is gone; false if it stays through `collections` of them. A
 * `deref()` keeps its target alive to the end of the current job, so each collection runs a turn after
 * the look. A test that expects `false` passes a few: each full collection costs up to a second on a
 * loaded machine with a large heap, and twenty of them ran a test past its timeout in CI-like runs,
 * while one that frees nothing on the third try frees nothing on the twentieth.
 */
export async function collected(ref: WeakRef<object>, collections = 20): Promise<boolean> {
  for (let i = 0; i < collections; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    if (ref.deref() === undefined) return true;
  }
  return false;
}

/**
 * Advance `clock` by `stepMs` with a full collection before each step, until no timer is left; the
 * timers still pending after `rounds` steps. A client collected while work of its own was in flight (a
 * telemetry flush on a slow socket) leaves that work's owner alive until it ends, and the owner's weak
 * timer stops at its first tick after the owner is collected, not before: so the timers stop within a
 * few steps, not at once. A strongly held timer never stops, and stays counted.
 */
export async function timersLeftAfterCollections(
  clock: { advance(ms: number): Promise<void>; readonly pending: number },
  stepMs: number,
  rounds = 5,
): Promise<number> {
  for (let i = 0; i < rounds && clock.pending > 0; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    await clock.advance(stepMs);
  }
  return clock.pending;
}
