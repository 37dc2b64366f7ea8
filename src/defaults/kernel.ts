import type { KernelOptions } from '../kernel/kernel-options.js';
import { Kernel as PortsKernel } from '../kernel/kernel.js';
import type { EndpointSpec } from '../kernel/manifest/types.js';
import { defaultCompositionRoot } from './composition-root.js';

/**
 * The kernel with the package's default adapters (`createKernel` makes one). It adds nothing to the
 * kernel but its composition root, so `kernel.use(plugin)` (typed as the kernel of src/kernel/) is one.
 */
export class Kernel<E extends EndpointSpec = never> extends PortsKernel<E> {
  constructor(options: KernelOptions = {}) {
    super(defaultCompositionRoot, options);
  }
}

/** Create a kernel with its own container and the default adapters. */
export function createKernel(options: KernelOptions = {}): Kernel {
  return new Kernel(options);
}
