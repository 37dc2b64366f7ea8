import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * Collect garbage until `ref`'s target is gone; false if it stays through 20 collections. A `deref()`
 * keeps its target alive to the end of the current job, so each collection runs a turn after the look.
 */
export async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    if (ref.deref() === undefined) return true;
  }
  return false;
}
