import type { CallOptions, CallResult } from './plugin-contract.js';
import type { CompiledEndpoint } from './manifest/compile.js';
import type { KernelEvents } from './events.js';
import type { SecretRegistry } from './redact.js';
import type { KernelServices } from './services.js';

/** The kernel as an extension host sees it (the kernel itself is one). */
export interface ExtensionHostSource {
  readonly events: KernelEvents;
  readonly secrets: SecretRegistry;
  executeById(endpointId: string, input: unknown, options?: CallOptions): Promise<CallResult>;
  endpoint(endpointId: string): CompiledEndpoint;
  getServices(): KernelServices;
}

/**
 * The narrow view kernel extensions (futures, sessions, streams) work through. The services are read
 * through getters on every use, because `kernel.register` may replace an adapter after the view was
 * made. Build it once per kernel: an object literal with getters is slow to create.
 */
export function extensionHost(
  kernel: ExtensionHostSource,
  /** `execute` for options the kernel built itself from checked values (see PollerHost.executeBuilt). */
  executeBuilt?: (id: string, input: unknown, options: CallOptions) => Promise<CallResult>,
  /** What `kernel.idle()` counts: streams are counted from their first read to their end. */
  inFlight?: { begin(): void; end(): void },
) {
  return {
    execute: (id: string, input: unknown, options?: CallOptions) => kernel.executeById(id, input, options),
    executeBuilt:
      executeBuilt ??
      ((id: string, input: unknown, options: CallOptions) => kernel.executeById(id, input, options)),
    endpoint: (id: string) => kernel.endpoint(id),
    get clock() {
      return kernel.getServices().clock;
    },
    get logger() {
      return kernel.getServices().logger;
    },
    get retryLog() {
      return kernel.getServices().retryLog;
    },
    get streaming() {
      return kernel.getServices().streaming;
    },
    get telemetry() {
      return kernel.getServices().telemetry;
    },
    events: kernel.events,
    secrets: kernel.secrets,
    emitQueueState: (event: { requestId: string; queueState: string; reason?: string }) =>
      kernel.events.emit('queue:state', event),
    semaphore: (key: string, capacity: number) => kernel.getServices().semaphore(key, capacity),
    stopping: (id: string) => kernel.getServices().stopping(id),
    inFlight,
  };
}

export type ExtensionHost = ReturnType<typeof extensionHost>;
