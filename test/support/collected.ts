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
