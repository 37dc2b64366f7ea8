import { createKernel, fingerprint, Ports, type Kernel, type Logger } from 'pristine';
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
  const kernel = createKernel({
    logLevel: config.log_level,
    requestIdHeader: 'x-request-id',
    shared: config.shared_redis && {
      redis: config.shared_redis.reveal(),
      // One fleet per API key; only the submission count is shared (dispatch bytes are this process's memory).
      keyPrefix: `tinkex:${fingerprint(config.api_key.reveal())}:`,
      shareSemaphore: (name) => name.endsWith(':count'),
    },
  }).use(tinkerPlugin(config));
  configure?.(kernel);
  return kernel;
}

export function loggerOf(kernel: TinkerKernel): Logger {
  return kernel.resolve<Logger>(Ports.Logger);
}
