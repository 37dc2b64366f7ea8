import type { KernelOptions } from '../kernel/kernel-options.js';
import { Kernel as PortsKernel } from '../kernel/kernel.js';
import type { EndpointSpec, ManifestSpec } from '../kernel/manifest/types.js';
import type { Plugin } from '../kernel/plugin.js';
import { defaultCompositionRoot } from './composition-root.js';

/**
 * The kernel with the package's default adapters (`createKernel` makes one). It adds nothing to the
 * kernel but its composition root, so `kernel.use(plugin)` (typed as the kernel of src/kernel/) is one.
 */
export class Kernel<E extends EndpointSpec = never> extends PortsKernel<E> {
  constructor(options: KernelOptions = {}) {
    super(defaultCompositionRoot, options);
  }

  /** Register a plugin: validates and compiles its manifest, then lets it register adapters. */
  // Typed as this class (the kernel registers the plugin on itself), so a user's kernel keeps its name.
  override use<M extends ManifestSpec>(plugin: Plugin<M>): Kernel<E | M['endpoints'][number]> {
    return super.use(plugin) as Kernel<E | M['endpoints'][number]>;
  }
}

/** Create a kernel with its own container and the default adapters. */
export function createKernel(options: KernelOptions = {}): Kernel {
  return new Kernel(options);
}
