import type { ResolvedConfig } from '../config.js';

/**
 * The rate-limit bucket a sampler's 429s close: its own, or in a fleet (`shared: { redis }`) one per
 * API key (the Redis key prefix carries its fingerprint), so a 429 to any worker's sampler holds back
 * every worker's. The kernel's throttled sampling phase watches the same bucket.
 */
export function samplingBucket(
  config: Pick<ResolvedConfig, 'shared_redis'>,
  samplingSessionId: string,
): string {
  return config.shared_redis ? 'tinker-sampling|fleet' : `tinker-sampling|${samplingSessionId}`;
}
