import type { KernelSettings } from './services.js';

/** Options for `createKernel`. Adapters are swapped with `kernel.register`. */
export interface KernelOptions extends Partial<KernelSettings> {
  /** Log level when no plugin env var says otherwise. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'off';
}

export const DEFAULT_SETTINGS: KernelSettings = {
  timeoutMs: 60_000,
  maxRetries: 2,
  responseValidation: 'strict',
  compressionThresholdBytes: 1024,
  breaker: { consecutiveFailures: 5, halfOpenAfterMs: 30_000 },
  requestIdHeader: 'x-request-id',
};
