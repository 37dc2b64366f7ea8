import { OptionChecks, ValidationError } from 'pristine-kernel';

/**
 * The Python SDK's sampling RetryConfig. Every `sample` runs through it: at most `max_connections` of a
 * sampler's samples at once (in 0.25 mode the server's `sample_max_concurrent_requests` replaces it,
 * as in the Python SDK), whole-request retries with backoff, and stuck detection.
 */
export interface SamplingRetryConfig {
  /** Samples of this sampler in progress at once, retries and polling included. Default 1000. */
  max_connections: number;
  /** The first retry's backoff in ms (default 500); later ones grow up to `retry_delay_max_ms`. */
  retry_delay_base_ms: number;
  /** The longest backoff between two retries of one sample, in ms (default 10,000). */
  retry_delay_max_ms: number;
  /** The random share of each backoff, 0–1 (default 0.25). */
  jitter_factor: number;
  /**
   * Stuck detection: once no sample of this sampler has completed for this long, every one in progress
   * fails with `APIConnectionError("No progress made in …s. Requests appear to be stuck.")`. Default 2 h.
   */
  progress_timeout_ms: number;
  /** Off: no progress timeout (a sample may wait forever). Also off when the server's flag says so. */
  enable_stuck_detection: boolean;
  /** Off: a sample's retryable failure is not retried but rejects at once (default on). */
  enable_retry_logic: boolean;
  /**
   * Whole-request retries of one sample on retryable errors. Default unlimited, as in the Python SDK
   * (stuck detection bounds them); the CLI passes its `--max-retries`, so a dead server ends a command.
   */
  max_retries: number;
}

export const DEFAULT_SAMPLING_RETRY: SamplingRetryConfig = {
  max_connections: 1000,
  retry_delay_base_ms: 500,
  retry_delay_max_ms: 10_000,
  jitter_factor: 0.25,
  progress_timeout_ms: 7_200_000,
  enable_stuck_detection: true,
  enable_retry_logic: true,
  max_retries: Number.POSITIVE_INFINITY,
};
const RETRY_CONFIG_NAMES: ReadonlySet<string> = new Set(Object.keys(DEFAULT_SAMPLING_RETRY));

/**
 * A NaN delay or timeout would spin or never end: every field is checked before the client exists, and
 * the clients that create a sampler on the server check it before sending anything.
 */
export function checkSamplingRetryConfig(
  config: Partial<SamplingRetryConfig> | undefined,
): Partial<SamplingRetryConfig> {
  const checks = new OptionChecks('sampling retry_config', '/retry_config');
  const o = checks.root(config, { names: RETRY_CONFIG_NAMES, what: 'a retry_config option' });
  checks
    .integer('max_connections', o.max_connections, 1)
    .boolean('enable_stuck_detection', o.enable_stuck_detection)
    .duration('retry_delay_base_ms', o.retry_delay_base_ms, 0)
    .duration('retry_delay_max_ms', o.retry_delay_max_ms, 0)
    .number('jitter_factor', o.jitter_factor, { min: 0, max: 1 })
    .duration('progress_timeout_ms', o.progress_timeout_ms)
    .boolean('enable_retry_logic', o.enable_retry_logic);
  if (o.max_retries !== Number.POSITIVE_INFINITY) checks.integer('max_retries', o.max_retries, 0);
  checks.throwIfAny();
  return o as Partial<SamplingRetryConfig>;
}

/**
 * `saveWeightsAndGetSamplingClient`'s retry_config: refuses Python's deprecated first argument, a name
 * (which has no effect there), by what to use instead, then checks it as any retry_config.
 */
export function checkSnapshotRetryConfig(config: Partial<SamplingRetryConfig> | undefined): void {
  if (typeof config === 'string') {
    throw ValidationError.field(
      'saveWeightsAndGetSamplingClient',
      '/retry_config',
      'type',
      'must be a retry_config object, not a name: the weights saved here are ephemeral; for a named ' +
        'checkpoint use saveWeightsForSampler(name) and createSamplingClient(path)',
    );
  }
  checkSamplingRetryConfig(config);
}
