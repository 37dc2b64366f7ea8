import type { SharedStateOptions } from '../shared-state-options.js';
import { OptionChecks, isPlainObject } from './option-checks.js';
import { optionNames } from './option-names.js';
import { keyPrefixSplitsSlots, SPLIT_PREFIX_RULE } from './key-prefix-hash-tag.js';
import {
  DATABASE_RULE,
  hasDatabaseNumber,
  SEEDS_DIFFER,
  SEEDS_NEED_CLUSTER,
  sameCredentials,
} from './redis-seeds.js';

/** Every key of `shared`. */
const SHARED_OPTION_NAMES = optionNames<SharedStateOptions>({
  redis: true,
  cluster: true,
  keyPrefix: true,
  commandTimeoutMs: true,
  connectTimeoutMs: true,
  onUnavailable: true,
  leaseMs: true,
  trialLeaseMs: true,
  shareSemaphore: true,
});

/**
 * A lease is renewed every third of itself, on a timer: shorter than 3 ms it could not be renewed in
 * time, and a NaN or negative one would expire every permit at once (the fleet admitting without bound).
 */
export const MIN_LEASE_MS = 3;

/**
 * `createKernel({ shared })`, before any connection is made: a negative lease, a zero timeout or a
 * misspelt key is a ValidationError naming the option and the rule, not a fleet that admits without
 * bound or a hang later on. The URL is never echoed (it may carry a password).
 */
export function checkSharedOptions(outer: OptionChecks, shared: unknown): void {
  if (shared === undefined) return;
  if (!isPlainObject(shared)) {
    outer.fail('shared', 'type', 'must be an object with a redis URL');
    return;
  }
  const checks = new OptionChecks('', '/shared');
  checks.only(shared, SHARED_OPTION_NAMES, 'a shared option');
  if (shared.redis === undefined)
    checks.fail('redis', 'required', 'is required (a redis:// or rediss:// URL)');
  else checkRedisSeeds(checks, shared.redis, shared.cluster === true);
  if (shared.keyPrefix !== undefined && typeof shared.keyPrefix !== 'string') {
    checks.fail('keyPrefix', 'type', 'must be a string');
  } else if (shared.keyPrefix !== undefined && keyPrefixSplitsSlots(shared.keyPrefix)) {
    // Refused without `cluster` too: the keys are the same on a single Redis, and a fleet that moves to
    // a cluster later would find out at its first call, where a new prefix splits the fleet's limits.
    checks.fail('keyPrefix', 'hashTag', SPLIT_PREFIX_RULE);
  }
  checks
    .boolean('cluster', shared.cluster)
    .duration('commandTimeoutMs', shared.commandTimeoutMs)
    .duration('connectTimeoutMs', shared.connectTimeoutMs)
    .oneOf('onUnavailable', shared.onUnavailable, ['local', 'reject'])
    .duration('leaseMs', shared.leaseMs, MIN_LEASE_MS)
    .duration('trialLeaseMs', shared.trialLeaseMs)
    .func('shareSemaphore', shared.shareSemaphore);
  outer.issues.push(...checks.issues);
}

/** One URL, or with `cluster` a non-empty list of them sharing their credentials; never quoted. */
function checkRedisSeeds(checks: OptionChecks, value: unknown, cluster: boolean): void {
  if (!Array.isArray(value)) {
    checkRedisUrl(checks, 'redis', value);
    return;
  }
  if (value.length === 0) {
    checks.fail('redis', 'minItems', 'must name at least one seed node');
    return;
  }
  if (!cluster && value.length > 1) checks.fail('redis', 'cluster', SEEDS_NEED_CLUSTER);
  const urls = value.map((item, i) => checkRedisUrl(checks, `redis/${i}`, item));
  const first = urls[0];
  urls.forEach((url, i) => {
    if (i > 0 && first && url && !sameCredentials(first, url))
      checks.fail(`redis/${i}`, 'sameCredentials', SEEDS_DIFFER);
  });
}

/** A redis:// or rediss:// URL with a host, parsed; the message never quotes it. */
function checkRedisUrl(checks: OptionChecks, key: string, value: unknown): URL | undefined {
  if (typeof value !== 'string') {
    checks.fail(key, 'type', 'must be a redis:// or rediss:// URL string (or, with cluster, a list of them)');
    return undefined;
  }
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    // Not a URL. The TypeError's `input` is the URL, password and all: it is not passed on.
  }
  if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') {
    checks.fail(key, 'format', 'must be a redis:// or rediss:// URL with a host');
    return undefined;
  }
  if (!hasDatabaseNumber(url)) checks.fail(key, 'database', DATABASE_RULE);
  return url;
}
