import { createKernel, fingerprint, Ports, type Kernel, type Logger } from 'pristine-kernel';
import type { ResolvedConfig } from '../config.js';
import type { TinkerManifest } from '../manifest.js';
import { tinkerPlugin } from '../plugin/tinker-plugin.js';
import { CredentialSource } from '../protocol/credential.js';
import { TinkerProtocol } from '../protocol/tinker-protocol.js';

/** A kernel that knows the Tinker endpoints: `call`, `submit` and `stream` are typed by the manifest. */
export type TinkerKernel = Kernel<TinkerManifest['endpoints'][number]>;

/** The protocol state of one ServiceClient, wired to its kernel (clock, logger, secrets). */
export function createTinkerProtocol(config: ResolvedConfig, kernel: () => TinkerKernel): TinkerProtocol {
  const credential = new CredentialSource(
    config.api_key,
    config.credential_cmd,
    () => kernel().getServices().clock.now(),
    undefined,
    (value) => kernel().getServices().secrets.add(value),
  );
  const protocol = new TinkerProtocol(credential, { protocol: config.protocol });
  protocol.attach({
    call: (endpointId, input) => kernel().call(endpointId as never, input as never),
    get clock() {
      return kernel().getServices().clock;
    },
    get logger() {
      return loggerOf(kernel());
    },
    addSecret: (value) => kernel().getServices().secrets.add(value),
  });
  return protocol;
}

const PROTOCOLS = new WeakMap<TinkerKernel, TinkerProtocol>();

/** Build the kernel for one ServiceClient; `configure` may swap adapters (tests, custom transports). */
export function createTinkerKernel(
  config: ResolvedConfig,
  configure?: (kernel: TinkerKernel) => void,
): TinkerKernel {
  // The protocol reads the kernel lazily (its clock may be swapped by `configure`).
  const holder: { kernel?: TinkerKernel } = {};
  const protocol = createTinkerProtocol(config, () => holder.kernel!);
  const kernel: TinkerKernel = createKernel({
    logLevel: config.log_level,
    requestIdHeader: 'x-request-id',
    proxy: config.proxy?.reveal(),
    shared: config.shared_redis && {
      redis: config.shared_redis.reveal(),
      // One fleet per API key; only the submission count is shared (dispatch bytes are this process's memory).
      keyPrefix: `tinkex:${fingerprint(config.api_key?.reveal() ?? config.credential_cmd ?? 'anonymous')}:`,
      shareSemaphore: (name) => name.endsWith(':count'),
    },
  }).use(tinkerPlugin(config, protocol));
  holder.kernel = kernel;
  PROTOCOLS.set(kernel, protocol);
  configure?.(kernel);
  return kernel;
}

/** The negotiated protocol of a kernel made by `createTinkerKernel`. */
export function protocolOf(kernel: TinkerKernel): TinkerProtocol {
  const protocol = PROTOCOLS.get(kernel);
  if (!protocol) throw new Error('Not a Tinker kernel (use createTinkerKernel)');
  return protocol;
}

export function loggerOf(kernel: TinkerKernel): Logger {
  return kernel.resolve<Logger>(Ports.Logger);
}
