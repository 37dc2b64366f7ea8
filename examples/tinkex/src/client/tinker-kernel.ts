import {
  createKernel,
  fingerprint,
  Ports,
  type AuthScheme,
  type FutureEndpointId,
  type Kernel,
  type Logger,
} from 'pristine-kernel';
import type { ResolvedConfig } from '../config.js';
import type { HubOptions } from '../hub/hub-settings.js';
import type { TinkerManifest } from '../manifest.js';
import { tinkerPlugin } from '../plugin/tinker-plugin.js';
import { CredentialSource } from '../protocol/credential.js';
import { TinkerHolders } from '../protocol/holders.js';
import { TinkerProtocol } from '../protocol/tinker-protocol.js';

/** A kernel that knows the Tinker endpoints: `call`, `submit` and `stream` are typed by the manifest. */
export type TinkerKernel = Kernel<TinkerManifest['endpoints'][number]>;
/** The Tinker endpoints `submit` takes (those with a future). */
export type TinkerFutureId = FutureEndpointId<TinkerManifest['endpoints'][number]>;

/**
 * The two holders of one ServiceClient, wired to its kernel (clock, logger, secrets). They share the
 * credential (a credential command runs once for both); each sends its handshake with its own auth.
 */
export function createTinkerHolders(config: ResolvedConfig, kernel: () => TinkerKernel): TinkerHolders {
  const credential = new CredentialSource(
    config.api_key,
    config.credential_cmd,
    () => kernel().getServices().clock.now(),
    undefined,
    (value) => kernel().getServices().secrets.add(value),
    {
      after: (ms, fn) => kernel().getServices().clock.after(ms, fn),
      say: (message) => loggerOf(kernel()).info(message),
    },
    config.api_key_from,
    config.credential_cmd_from,
  );
  const session = new TinkerProtocol(credential, { protocol: config.protocol });
  const rest = new TinkerProtocol(credential, { protocol: config.protocol, refreshDynamicConfig: false });
  const holders = new TinkerHolders(session, rest);
  // The handshake endpoints serve both holders: the call names its holder's credential.
  for (const holder of [session, rest]) attachHolder(holder, kernel, holders.holderName(holder));
  return holders;
}

/** Wire `holder` to its kernel; its handshake calls go with `auth` (a scheme name or object). */
export function attachHolder(
  holder: TinkerProtocol,
  kernel: () => TinkerKernel,
  auth: string | AuthScheme,
): void {
  holder.attach({
    call: (endpointId, input, signal) => kernel().call(endpointId as never, input as never, { auth, signal }),
    get clock() {
      return kernel().getServices().clock;
    },
    get logger() {
      return loggerOf(kernel());
    },
    addSecret: (value) => kernel().getServices().secrets.add(value),
    removeSecret: (value) => void kernel().getServices().secrets.delete(value),
  });
}

const HOLDERS = new WeakMap<TinkerKernel, TinkerHolders>();

/** Build the kernel for one ServiceClient; `configure` may swap adapters (tests, custom transports). */
export function createTinkerKernel(
  config: ResolvedConfig,
  configure?: (kernel: TinkerKernel) => void,
): TinkerKernel {
  // The protocol reads the kernel lazily (its clock may be swapped by `configure`).
  const holder: { kernel?: TinkerKernel } = {};
  const holders = createTinkerHolders(config, () => {
    if (!holder.kernel) throw new Error('The Tinker protocol was used before its kernel was built');
    return holder.kernel;
  });
  const kernel: TinkerKernel = createKernel({
    logLevel: config.log_level,
    requestIdHeader: 'x-request-id',
    proxy: config.proxy?.reveal(),
    proxySource: config.proxy_source,
    shared: config.shared_redis && {
      redis: Array.isArray(config.shared_redis)
        ? config.shared_redis.map((seed) => seed.reveal())
        : config.shared_redis.reveal(),
      ...(config.shared_on_unavailable ? { onUnavailable: config.shared_on_unavailable } : {}),
      ...(config.shared_cluster ? { cluster: true } : {}),
      // One fleet per API key; only the submission count is shared (dispatch bytes are this process's memory).
      keyPrefix: `tinkex:${fingerprint(config.api_key?.reveal() ?? config.credential_cmd ?? 'anonymous')}:`,
      shareSemaphore: (name) => name.endsWith(':count'),
    },
  }).use(tinkerPlugin(config, holders));
  holder.kernel = kernel;
  HOLDERS.set(kernel, holders);
  configure?.(kernel);
  return kernel;
}

/** The holders of a kernel made by `createTinkerKernel`. */
export function holdersOf(kernel: TinkerKernel): TinkerHolders {
  const holders = HOLDERS.get(kernel);
  if (!holders) throw new Error('Not a Tinker kernel (use createTinkerKernel)');
  return holders;
}

/** The negotiated protocol of the sessionful holder (training and sampling read its flags). */
export function protocolOf(kernel: TinkerKernel): TinkerProtocol {
  return holdersOf(kernel).session;
}

export function loggerOf(kernel: TinkerKernel): Logger {
  return kernel.resolve<Logger>(Ports.Logger);
}

/**
 * Hub options for a client's Hub requests, which take the client's network path and log: its `proxy`
 * and its kernel's logger, unless `options` names others.
 */
export function hubOptionsOf<T extends HubOptions>(
  kernel: TinkerKernel,
  config: ResolvedConfig,
  options: T,
): T {
  const proxy = options.proxy ?? config.proxy?.reveal();
  return { ...options, logger: options.logger ?? loggerOf(kernel), ...(proxy ? { proxy } : {}) };
}
