import { FifoSemaphoreFactory } from '../adapters/semaphore/fifo-semaphore.js';
import type { CompositionRoot } from '../kernel/composition-root.js';
import { registerDefaultAdapters } from './default-adapters.js';
import { registerSharedAdapters } from './shared-state.js';

/**
 * The package's composition root: the in-process adapters of src/defaults/default-adapters.ts, the
 * Redis-backed ones for `shared`, and FIFO semaphores for the connection gate. The kernel imports no
 * adapter; the package entry's `Kernel` and `createKernel` pass this.
 */
export const defaultCompositionRoot: CompositionRoot = Object.freeze({
  bindDefaults: registerDefaultAdapters,
  bindShared: registerSharedAdapters,
  localSemaphores: new FifoSemaphoreFactory(),
});
