import type { BreakerSettings } from '../../ports/circuit-breaker.js';
import type { ConcurrencySpec, PluginSpec, RetryPolicySpec, ThrottledSpec } from '../plugin-contract.js';
import { escapePointer } from '../request/header-checks.js';
import { OptionChecks, isPlainObject } from './option-checks.js';
import { optionNames } from './option-names.js';

const PLUGIN_KEYS = optionNames<PluginSpec & { __plugin: true }>({
  name: true,
  version: true,
  manifest: true,
  defaults: true,
  headers: true,
  retryPolicies: true,
  auth: true,
  pollProtocols: true,
  sessionProtocols: true,
  weights: true,
  concurrency: true,
  breakers: true,
  errorMapper: true,
  secrets: true,
  stages: true,
  register: true,
  __plugin: true,
});
const RETRY_POLICY_KEYS = optionNames<RetryPolicySpec>({
  maxRetries: true,
  fatalStatuses: true,
  logLevel: true,
  initialDelayMs: true,
  maxDelayMs: true,
  jitter: true,
  maxRetryAfterMs: true,
});
const CONCURRENCY_KEYS = optionNames<ConcurrencySpec>({
  maxConcurrent: true,
  maxWeight: true,
  throttled: true,
});
const THROTTLED_KEYS = optionNames<ThrottledSpec>({
  windowMs: true,
  maxConcurrent: true,
  weightFactor: true,
  bucket: true,
});
const BREAKER_KEYS = optionNames<BreakerSettings>({
  consecutiveFailures: true,
  failureRateThreshold: true,
  samplingWindowMs: true,
  minimumRps: true,
  halfOpenAfterMs: true,
});

/** No key of the plugin spec but the known ones: a misspelt `defaults` or `retryPolicies` is ignored. */
export function checkPluginKeys(spec: object & { name: string }): void {
  new OptionChecks(`plugin "${spec.name}"`).only(spec, PLUGIN_KEYS, 'a plugin setting').throwIfAny();
}

/** Each named retry policy: known keys, a retry budget, delays a timer can wait, real HTTP statuses. */
export function checkRetryPolicies(pluginName: string, policies: unknown): void {
  eachEntry(`plugin "${pluginName}" retry policies`, policies, (checks, policy) => {
    checks
      .only(policy, RETRY_POLICY_KEYS, 'a retry policy setting')
      .integer('maxRetries', policy.maxRetries, 0)
      .duration('initialDelayMs', policy.initialDelayMs, 0)
      .duration('maxDelayMs', policy.maxDelayMs, 0)
      .duration('maxRetryAfterMs', policy.maxRetryAfterMs, 0)
      .number('jitter', policy.jitter, { min: 0, max: 1 })
      .oneOf('logLevel', policy.logLevel, ['info', 'debug']);
    const statuses = policy.fatalStatuses;
    if (statuses !== undefined && !Array.isArray(statuses))
      checks.fail('fatalStatuses', 'type', 'must be an array of HTTP statuses');
    for (const [index, status] of (Array.isArray(statuses) ? statuses : []).entries()) {
      if (!(Number.isInteger(status) && status >= 100 && status <= 599))
        checks.fail(`fatalStatuses/${index}`, 'status', 'must be an HTTP status (an integer 100–599)');
    }
  });
}

/**
 * Each resource's limits. A value read through a getter is left alone: Tinkex sizes a semaphore from
 * the server's flags, which exist only after negotiation, so the getter must not run at registration.
 */
export function checkConcurrency(pluginName: string, limits: unknown): void {
  eachEntry(`plugin "${pluginName}" concurrency`, limits, (checks, spec, prefix) => {
    checks
      .only(spec, CONCURRENCY_KEYS, 'a concurrency setting')
      .integer('maxConcurrent', dataValue(spec, 'maxConcurrent'), 1)
      .number('maxWeight', dataValue(spec, 'maxWeight'), { min: 0, exclusiveMin: true });
    const throttled = dataValue(spec, 'throttled');
    if (throttled === undefined || !checks.object('throttled', throttled)) return;
    const t = throttled as Record<string, unknown>;
    const nested = new OptionChecks('', `${prefix}/throttled`);
    nested
      .only(t, THROTTLED_KEYS, 'a throttled setting')
      .duration('windowMs', dataValue(t, 'windowMs'), 0) // 0: throttled only while the bucket is closed
      .integer('maxConcurrent', dataValue(t, 'maxConcurrent'), 1)
      .number('weightFactor', dataValue(t, 'weightFactor'), { min: 0, exclusiveMin: true })
      .func('bucket', t.bucket);
    if (t.windowMs === undefined) nested.fail('windowMs', 'required', 'is required');
    checks.issues.push(...nested.issues);
  });
}

/** Each resource's breaker: `false`, or settings as the kernel's `breaker` option takes them. */
export function checkBreakers(pluginName: string, breakers: unknown): void {
  const checks = new OptionChecks(`plugin "${pluginName}" breakers`);
  if (!checks.object('', breakers) || breakers === undefined) return checks.throwIfAny();
  for (const [name, settings] of Object.entries(breakers as object)) checkBreaker(checks, name, settings);
  checks.throwIfAny();
}

/** Runs `check` on each entry of a record of objects, each with its own pointer prefix. */
function eachEntry(
  where: string,
  record: unknown,
  check: (checks: OptionChecks, entry: Record<string, unknown>, prefix: string) => void,
): void {
  const all = new OptionChecks(where);
  if (!all.object('', record) || record === undefined) return all.throwIfAny();
  for (const [name, entry] of Object.entries(record as object)) {
    const prefix = `/${escapePointer(name)}`;
    const checks = new OptionChecks(where, prefix);
    if (checks.object('', entry)) check(checks, entry as Record<string, unknown>, prefix);
    all.issues.push(...checks.issues);
  }
  all.throwIfAny();
}

/** An own data property's value; undefined for a getter, which is not run. */
function dataValue(object: object, key: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(object, key);
  return descriptor && 'value' in descriptor ? descriptor.value : undefined;
}

/** A `breaker` setting, the kernel's option or a plugin's: `false`, or known settings with a half-open delay. */
export function checkBreaker(checks: OptionChecks, key: string, value: unknown): void {
  if (value === undefined || value === false) return;
  if (!isPlainObject(value)) {
    checks.fail(key, 'type', 'must be false or an object of breaker settings');
    return;
  }
  const nested = new OptionChecks('', `/${escapePointer(key)}`);
  nested.only(value, BREAKER_KEYS, 'a breaker setting');
  checks.issues.push(...nested.issues);
  checks
    .integer(`${key}/consecutiveFailures`, value.consecutiveFailures, 1)
    .number(`${key}/failureRateThreshold`, value.failureRateThreshold, { min: 0, max: 1, exclusiveMin: true })
    .duration(`${key}/samplingWindowMs`, value.samplingWindowMs)
    .number(`${key}/minimumRps`, value.minimumRps, { min: 0 })
    .duration(`${key}/halfOpenAfterMs`, value.halfOpenAfterMs, 0);
  if (value.halfOpenAfterMs === undefined) checks.fail(`${key}/halfOpenAfterMs`, 'required', 'is required');
}
