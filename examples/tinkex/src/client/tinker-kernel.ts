import { createKernel, Ports, type Kernel, type Logger } from 'pristine-kernel';
import type { ResolvedConfig } from '../config.js';
import type { TinkerManifest } from '../manifest.js';
import { tinkerPlugin } from '../plugin/tinker-plugin.js';

/** A kernel that knows the Tinker endpoints: `call`, `submit` and `stream` are typed by the manifest. */
export type TinkerKernel = Kernel<TinkerManifest['endpoints'][number]>;

/** Build the kernel for one ServiceClient; `configure` may swap adapters (tests, custom transports). */
export function createTinkerKernel(
  config: ResolvedConfig,
  configure?: (kernel: TinkerKernel) => void,
): TinkerKernel {
  const kernel = createKernel({ logLevel: config.log_level, requestIdHeader: 'x-request-id' }).use(
    tinkerPlugin(config),
  );
  configure?.(kernel);
  return kernel;
}

export function loggerOf(kernel: TinkerKernel): Logger {
  return kernel.resolve<Logger>(Ports.Logger);
}
