import { OptionChecks } from 'pristine-kernel';

/**
 * The Python SDK's careful phase after a sampling 429 (`sample_dispatch_rate_limit`): while the
 * sampler's backoff window is closed and for `window_ms` after it reopens, at most `concurrency` sample
 * submissions go out at once and each counts `bytes_factor` times its estimated bytes against the
 * dispatch budget.
 */
export interface SampleThrottle {
  window_ms: number;
  concurrency: number;
  bytes_factor: number;
}

/** The Python SDK's values: 10 s, 10 submissions, 20× the bytes. */
export const DEFAULT_SAMPLE_THROTTLE: SampleThrottle = {
  window_ms: 10_000,
  concurrency: 10,
  bytes_factor: 20,
};
const SAMPLE_THROTTLE_NAMES: ReadonlySet<string> = new Set(Object.keys(DEFAULT_SAMPLE_THROTTLE));

export interface SamplingDefaultsOptions {
  /** Tune the throttled phase after a sampling 429 (default: the Python SDK's 10 s / 10 / 20×). */
  sample_throttle?: Partial<SampleThrottle>;
}

/** Checked like every option: a NaN window or a zero concurrency would never admit anything. */
export function checkSamplingDefaults(options: SamplingDefaultsOptions): { sample_throttle: SampleThrottle } {
  const checks = new OptionChecks('ServiceClient options');
  const throttle = options.sample_throttle;
  if (checks.object('sample_throttle', throttle) && throttle !== undefined) {
    checks
      .duration('sample_throttle/window_ms', throttle.window_ms, 0)
      .integer('sample_throttle/concurrency', throttle.concurrency, 1)
      .number('sample_throttle/bytes_factor', throttle.bytes_factor, { min: 1 });
    checks.only(throttle, SAMPLE_THROTTLE_NAMES, 'a sample_throttle option', 'sample_throttle');
  }
  checks.throwIfAny();
  return { sample_throttle: OptionChecks.withDefaults(DEFAULT_SAMPLE_THROTTLE, throttle) };
}
