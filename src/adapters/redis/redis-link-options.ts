import { keyPrefixSplitsSlots, SPLIT_PREFIX_RULE } from '../../kernel/options/key-prefix-hash-tag.js';
import {
  DATABASE_RULE,
  hasDatabaseNumber,
  SEEDS_DIFFER,
  SEEDS_NEED_CLUSTER,
  sameCredentials,
} from '../../kernel/options/redis-seeds.js';
import type { SharedStateOptions } from '../../kernel/shared-state-options.js';

/** What a link is made from (a RedisLink used without the kernel's checks is checked here). */
type LinkOptions = Pick<
  SharedStateOptions,
  'keyPrefix' | 'commandTimeoutMs' | 'connectTimeoutMs' | 'onUnavailable' | 'cluster'
> & { url: string | readonly string[] };

/** A RangeError for the first option a link cannot work with; else the parsed seed URLs. */
export function checkLinkOptions(options: LinkOptions): URL[] {
  const urls = seedUrls(options.url, options.cluster === true);
  checkMs('commandTimeoutMs', options.commandTimeoutMs);
  checkMs('connectTimeoutMs', options.connectTimeoutMs);
  if (options.onUnavailable !== undefined && !['local', 'reject'].includes(options.onUnavailable)) {
    throw new RangeError(`onUnavailable must be 'local' or 'reject', got ${String(options.onUnavailable)}`);
  }
  if (options.cluster !== undefined && typeof options.cluster !== 'boolean') {
    throw new RangeError(`cluster must be true or false, got ${String(options.cluster)}`);
  }
  if (keyPrefixSplitsSlots(options.keyPrefix ?? '')) {
    throw new RangeError(`keyPrefix ${SPLIT_PREFIX_RULE}`);
  }
  return urls;
}

/** One URL, or with `cluster` several sharing their credentials; never quoted. */
function seedUrls(value: string | readonly string[], cluster: boolean): URL[] {
  const seeds: readonly unknown[] = Array.isArray(value) ? value : [value];
  if (seeds.length === 0) throw new RangeError('shared.redis must name at least one seed node');
  if (seeds.length > 1 && !cluster) throw new RangeError(`shared.redis ${SEEDS_NEED_CLUSTER}`);
  const urls = seeds.map((seed, i) =>
    redisUrl(seed, seeds.length > 1 ? `shared.redis/${i}` : 'shared.redis'),
  );
  const [first] = urls;
  urls.forEach((url, i) => {
    if (first && !sameCredentials(first, url)) throw new RangeError(`shared.redis/${i} ${SEEDS_DIFFER}`);
  });
  return urls;
}

/** The parsed URL; never quoted when it is not one (it may carry a password). */
function redisUrl(value: unknown, name: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(String(value));
  } catch {
    // The TypeError's `input` holds the URL, password and all: it is not passed on as a cause.
  }
  if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') {
    throw new RangeError(`${name} must be a redis:// or rediss:// URL with a host`);
  }
  if (!hasDatabaseNumber(url)) throw new RangeError(`${name} ${DATABASE_RULE}`);
  return url;
}

/** A timeout a Node timer can wait: positive and finite (a NaN one would never bound anything). */
function checkMs(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value >= 1 && value <= 2_147_483_647)) {
    throw new RangeError(`${name} must be a number of ms from 1 to 2147483647, got ${String(value)}`);
  }
}
