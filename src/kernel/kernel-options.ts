import { OptionChecks } from './options/option-checks.js';
import { printsAs } from './prints-as.js';
import { redactUrl } from './redact.js';
import type { KernelSettings } from './services.js';
import type { SharedStateOptions } from './shared-state-options.js';

/** Each setting optional; `undefined` too, read as absent, so an SDK passes its own optional options on. */
type OptionalSettings = { [K in keyof KernelSettings]?: KernelSettings[K] | undefined };

/**
 * Options for `createKernel`. Adapters are swapped with `kernel.register`. Every member also takes
 * `undefined`, read as absent (the default applies), also under `exactOptionalPropertyTypes`.
 */
export interface KernelOptions extends OptionalSettings {
  /** Log level when no plugin env var says otherwise. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'off' | undefined;
  /** Share rate limits, semaphores and breakers with every process using the same Redis (see docs). */
  shared?: SharedStateOptions | undefined;
}

export const DEFAULT_SETTINGS: KernelSettings = {
  timeoutMs: 60_000,
  maxRetries: 2,
  responseValidation: 'strict',
  compressionThresholdBytes: 1024,
  // A failure rate over a window, with a floor on traffic: a fleet hammering a dead server trips it, while
  // a script whose few calls each spend their retries never does (5 consecutive failures would open on
  // the second call: each call makes up to 3 attempts).
  breaker: { failureRateThreshold: 0.5, samplingWindowMs: 30_000, minimumRps: 2, halfOpenAfterMs: 30_000 },
  requestIdHeader: 'x-request-id',
  // The emulator's bound on decompressed request bodies; far above any Tinker result, far below a bomb.
  maxDecompressedBytes: 256 * 1024 * 1024,
};

/** The kernel's settings: the given ones over the defaults (an option given as `undefined` keeps its default). */
export function settingsWithDefaults(given: Partial<KernelSettings>): KernelSettings {
  return printedRedacted(OptionChecks.withDefaults(DEFAULT_SETTINGS, given));
}

/**
 * `kernel.settings` is public and gets printed while debugging: it prints (inspect, JSON) its proxy
 * with the credentials masked, read at print time since a caller may set `settings.proxy` later.
 */
function printedRedacted(settings: KernelSettings): KernelSettings {
  return printsAs(settings, () => ({
    ...settings,
    ...(settings.proxy === undefined ? {} : { proxy: redactUrl(settings.proxy) }),
  }));
}
