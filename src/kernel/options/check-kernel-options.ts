import type { SubmitOptions } from '../futures/submit.js';
import type { CallOptions } from '../pipeline/context.js';
import type { StreamOptions } from '../streams/event-stream.js';
import type { KernelOptions } from '../kernel-options.js';
import type { PluginDefaults } from '../plugin-contract.js';
import { headerNameProblem, headerValueProblem } from '../request/header-checks.js';
import {
  checkBreaker,
  checkBreakers,
  checkConcurrency,
  checkPluginKeys,
  checkRetryPolicies,
} from './check-plugin-limits.js';
import { checkPluginStages } from './check-plugin-stages.js';
import { checkSharedOptions } from './check-shared-options.js';
import { OptionChecks, isPlainObject } from './option-checks.js';
import { optionNames } from './option-names.js';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'off'] as const;
const RESPONSE_VALIDATION = ['strict', 'warn', 'off'] as const;

/** Every `createKernel` option. */
const KERNEL_OPTION_NAMES = optionNames<KernelOptions>({
  baseUrl: true,
  timeoutMs: true,
  maxRetries: true,
  responseValidation: true,
  compressionThresholdBytes: true,
  breaker: true,
  tokenBucket: true,
  requestIdHeader: true,
  maxDecompressedBytes: true,
  proxy: true,
  proxySource: true,
  logLevel: true,
  shared: true,
});

/** Every plugin default. */
const PLUGIN_DEFAULT_NAMES = optionNames<PluginDefaults>({
  baseUrl: true,
  timeoutMs: true,
  maxRetries: true,
  breaker: true,
  tokenBucket: true,
  requestIdHeader: true,
  logLevelEnv: true,
  query: true,
});

/** Every per-call option. */
const CALL_OPTIONS = optionNames<CallOptions>({
  signal: true,
  timeoutMs: true,
  headers: true,
  query: true,
  idempotencyKey: true,
  maxRetries: true,
  baseUrl: true,
  responseBodies: true,
  compress: true,
  auth: true,
  parentSpan: true,
  onUploadProgress: true,
});

/** The options `stream`, `submit` and `paginate` take besides the call options. */
const EXTRA_OPTIONS = {
  stream: optionNames<Omit<StreamOptions, keyof CallOptions>>({
    idleTimeoutMs: true,
    maxReconnects: true,
  }),
  submit: optionNames<Omit<SubmitOptions, keyof CallOptions>>({
    maxResultBytes: true,
    resultBudgetKey: true,
    maxConsecutiveFailures: true,
    onQueueState: true,
    resubmitInput: true,
    after: true,
    callerSignalOnly: true,
  }),
  paginate: optionNames<{ pageSize?: number }>({ pageSize: true }),
};

export type ExtraMethod = keyof typeof EXTRA_OPTIONS;

const withCallOptions = (names: ReadonlySet<string>): ReadonlySet<string> =>
  new Set([...CALL_OPTIONS, ...names]);

const EXTRA_OPTION_NAMES: Record<ExtraMethod, ReadonlySet<string>> = {
  stream: withCallOptions(EXTRA_OPTIONS.stream),
  submit: withCallOptions(EXTRA_OPTIONS.submit),
  paginate: withCallOptions(EXTRA_OPTIONS.paginate),
};

/**
 * What a call's options may hold. `stream`, `submit` and `paginate` hand their whole options to the calls
 * they make, so their extras pass here; each method refuses the others' (checkExtraOptions).
 */
const CALL_OPTION_NAMES = new Set([
  ...CALL_OPTIONS,
  ...Object.values(EXTRA_OPTIONS).flatMap((names) => [...names]),
]);

/**
 * `createKernel` options. Checked at construction so that a NaN retry budget (endless retries), a zero
 * or overflowing timeout, or a wrong type fails at once with a ValidationError naming the option, and not
 * later as a `TypeError` or a loop.
 */
export function checkKernelOptions(options: unknown): asserts options is KernelOptions {
  const checks = new OptionChecks('kernel options');
  const o = checks.root(options, { names: KERNEL_OPTION_NAMES, what: 'a kernel option' });
  checks
    .baseUrl('baseUrl', o.baseUrl)
    .duration('timeoutMs', o.timeoutMs)
    .integer('maxRetries', o.maxRetries, 0)
    .oneOf('responseValidation', o.responseValidation, RESPONSE_VALIDATION)
    .integer('compressionThresholdBytes', o.compressionThresholdBytes, 0)
    .integer('maxDecompressedBytes', o.maxDecompressedBytes, 1)
    .oneOf('logLevel', o.logLevel, LOG_LEVELS)
    .url('proxy', o.proxy)
    .string('proxySource', o.proxySource, { nonEmpty: true });
  checkHeaderName(checks, 'requestIdHeader', o.requestIdHeader);
  checkBreaker(checks, 'breaker', o.breaker);
  checkTokenBucket(checks, 'tokenBucket', o.tokenBucket);
  checkSharedOptions(checks, o.shared);
  checks.throwIfAny();
}

/** Per-call options, checked before the call enters the pipeline (nothing is sent on failure). */
export function checkCallOptions(options: CallOptions, endpointId: string): void {
  if (nothingToCheck(options)) return;
  checkGivenCallOptions(options, endpointId);
}

/**
 * Most calls pass no options, or only a signal (a sample's `asample` carries stuck detection's), and
 * some `compress: false` besides (a plugin passing its compression flag on every call): those are
 * answered here without allocating, and in a function of its own, so that the full check's
 * functions are not compiled in a fan-out's burst (docs/performance-notes.md, round 19 notes). A plain object
 * only: anything inheriting options from another prototype gets the full check, which reads them.
 * @internal exported for its property test
 */
export function nothingToCheck(options: unknown): boolean {
  if (typeof options !== 'object' || options === null) return false;
  const proto: unknown = Object.getPrototypeOf(options);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key in options) {
    const value = (options as Record<string, unknown>)[key];
    if (value === undefined || (key === 'compress' && value === false && Object.hasOwn(options, key)))
      continue;
    if (key !== 'signal' || !(value instanceof AbortSignal) || !Object.hasOwn(options, key)) return false;
  }
  return true;
}

/** @internal every rule of `checkCallOptions`, collected into one ValidationError (exported for the property test). */
export function checkGivenCallOptions(options: CallOptions, endpointId: string): void {
  const checks = new OptionChecks(`call options for "${endpointId}"`);
  const o = checks.root(options, { names: CALL_OPTION_NAMES, what: 'a call option' });
  checks
    .duration('timeoutMs', o.timeoutMs)
    .integer('maxRetries', o.maxRetries, 0)
    .baseUrl('baseUrl', o.baseUrl)
    .headers('headers', o.headers);
  checks.signal('signal', o.signal);
  checks.string('idempotencyKey', o.idempotencyKey, { nonEmpty: true });
  checks.func('onUploadProgress', o.onUploadProgress);
  if (o.parentSpan !== undefined && o.parentSpan !== null && !isSpan(o.parentSpan)) {
    checks.fail('parentSpan', 'type', 'must be a span from the Telemetry port, or null');
  }
  if (typeof o.auth === 'string' || !isAuthScheme(o.auth)) checks.string('auth', o.auth, { nonEmpty: true });
  const keyProblem = typeof o.idempotencyKey === 'string' ? headerValueProblem(o.idempotencyKey) : undefined;
  if (keyProblem) checks.fail('idempotencyKey', 'header-value', keyProblem);
  if (checks.object('query', o.query) && o.query !== undefined) {
    for (const [key, value] of Object.entries(o.query as object)) {
      const ok = ['string', 'boolean', 'undefined'].includes(typeof value) || Number.isFinite(value);
      if (!ok) checks.fail(`query/${key}`, 'type', 'must be a string, a finite number or a boolean');
    }
  }
  checks.throwIfAny();
}

/** A plugin's defaults and static headers, checked when it registers. */
export function checkPluginOptions(spec: {
  name: string;
  defaults?: unknown;
  headers?: unknown;
  pollProtocols?: unknown;
  retryPolicies?: unknown;
  concurrency?: unknown;
  breakers?: unknown;
  stages?: unknown;
}): void {
  checkPluginKeys(spec);
  checkPluginDefaults(spec.name, spec.defaults);
  checkRetryPolicies(spec.name, spec.retryPolicies);
  checkConcurrency(spec.name, spec.concurrency);
  checkBreakers(spec.name, spec.breakers);
  checkPluginStages(spec.name, spec.stages);
  checkStaticHeaders(spec as Parameters<typeof checkStaticHeaders>[0]);
  checkPollTimeouts(spec.name, spec.pollProtocols);
}

/**
 * Each poll protocol's `pollTimeoutMs`, once: the kernel's polls carry it as their call timeout without
 * the per-call option check (see PollerHost.executeBuilt), so a NaN here fails at registration.
 */
function checkPollTimeouts(pluginName: string, protocols: unknown): void {
  if (!isPlainObject(protocols)) return;
  const checks = new OptionChecks(`plugin "${pluginName}" poll protocols`);
  for (const [name, protocol] of Object.entries(protocols)) {
    if (isPlainObject(protocol)) checks.duration(`${name}/pollTimeoutMs`, protocol.pollTimeoutMs);
  }
  checks.throwIfAny();
}

/** Plugin defaults follow the kernel's rules for the same settings. */
export function checkPluginDefaults(pluginName: string, defaults: unknown): void {
  if (defaults === undefined) return;
  const checks = new OptionChecks(`plugin "${pluginName}" defaults`);
  const o = checks.root(defaults, { names: PLUGIN_DEFAULT_NAMES, what: 'a plugin default' });
  checks
    .baseUrl('baseUrl', o.baseUrl)
    .duration('timeoutMs', o.timeoutMs)
    .integer('maxRetries', o.maxRetries, 0);
  checks.stringRecord('query', o.query);
  if (isPlainObject(o.query) && Object.keys(o.query).some((key) => key === ''))
    checks.fail('query', 'propertyNames', 'query parameter names must not be empty');
  checkHeaderName(checks, 'requestIdHeader', o.requestIdHeader);
  checkBreaker(checks, 'breaker', o.breaker);
  checkTokenBucket(checks, 'tokenBucket', o.tokenBucket);
  checks.throwIfAny();
}

function checkHeaderName(checks: OptionChecks, key: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'string') {
    checks.string(key, value);
    return;
  }
  const problem = headerNameProblem(value);
  if (problem) checks.fail(key, 'header-name', problem);
}

function checkTokenBucket(checks: OptionChecks, key: string, value: unknown): void {
  if (value === undefined) return;
  if (!isPlainObject(value)) {
    checks.fail(key, 'type', 'must be an object { requestsPerSecond, burst }');
    return;
  }
  checks
    .number(`${key}/requestsPerSecond`, value.requestsPerSecond, { min: 0, exclusiveMin: true })
    .integer(`${key}/burst`, value.burst, 1);
  if (value.requestsPerSecond === undefined)
    checks.fail(`${key}/requestsPerSecond`, 'required', 'is required');
  if (value.burst === undefined) checks.fail(`${key}/burst`, 'required', 'is required');
}

/**
 * A plugin's static headers, User-Agent and idempotency key prefix go on every request: a bad one fails
 * at registration (a prefix outside printable ASCII would also be garbled by the key's latin1 buffer).
 */
export function checkStaticHeaders(spec: {
  name: string;
  headers?: { static?: unknown; userAgent?: unknown; idempotency?: unknown };
}): void {
  const checks = new OptionChecks(`plugin "${spec.name}" headers`);
  checks.headers('static', spec.headers?.static);
  if (spec.headers?.userAgent !== undefined) checks.headers('', { 'user-agent': spec.headers.userAgent });
  const idempotency = spec.headers?.idempotency;
  if (isPlainObject(idempotency) && idempotency.prefix !== undefined) {
    const problem = headerValueProblem(idempotency.prefix);
    if (problem) checks.fail('idempotency/prefix', 'header-value', problem);
  }
  checks.throwIfAny();
}

/**
 * The extra options of `submit`, `paginate` and `stream`, checked when the method is called (the work
 * itself starts later, where a wrong type would surface as a TypeError inside an iterator).
 */
export function checkExtraOptions(method: ExtraMethod, endpointId: string, options: unknown): void {
  if (options === undefined || plainlyValidExtras(method, options)) return;
  checkEveryExtraOption(method, endpointId, options);
}

/**
 * Whether `checkEveryExtraOption` would find nothing, answered without collecting (no OptionChecks, no
 * message, one function): true only for a plain object whose given options are names `method` takes
 * with a value of the one type its rule takes, or names it does not check here (the call options,
 * which the call checks); any other value (a number, a wrong type) goes to the full check, which says
 * what is wrong. `kernel.submit` checks the options of every future (Tinkex: of every sample), so this
 * keeps the full check's functions out of a burst's compile jobs (docs/performance-notes.md, round 19 notes).
 * @internal exported for its property test
 */
export function plainlyValidExtras(method: ExtraMethod, options: unknown): boolean {
  if (typeof options !== 'object' || options === null) return false;
  const proto: unknown = Object.getPrototypeOf(options);
  if (proto !== Object.prototype && proto !== null) return false;
  const allowed = EXTRA_OPTION_NAMES[method];
  for (const key in options) {
    const value = (options as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (!allowed.has(key) || !Object.hasOwn(options, key)) return false;
    switch (key) {
      case 'signal':
        if (!(value instanceof AbortSignal)) return false;
        break;
      case 'onQueueState':
      case 'resubmitInput':
        if (typeof value !== 'function') return false;
        break;
      case 'callerSignalOnly':
        if (typeof value !== 'boolean') return false;
        break;
      case 'pageSize':
      case 'idleTimeoutMs':
      case 'maxReconnects':
      case 'maxResultBytes':
        return false;
    }
  }
  return true;
}

/** @internal every rule of `checkExtraOptions`, collected into one ValidationError (exported for the property test). */
export function checkEveryExtraOption(method: ExtraMethod, endpointId: string, options: unknown): void {
  const checks = new OptionChecks(`${method} options for "${endpointId}"`);
  const o = checks.root(options, { names: EXTRA_OPTION_NAMES[method], what: `a ${method} option` });
  checks
    .integer('pageSize', o.pageSize, 1)
    .duration('idleTimeoutMs', o.idleTimeoutMs)
    .integer('maxReconnects', o.maxReconnects, 0)
    .integer('maxResultBytes', o.maxResultBytes, 0)
    .func('onQueueState', o.onQueueState)
    .func('resubmitInput', o.resubmitInput)
    .boolean('callerSignalOnly', o.callerSignalOnly);
  checks.signal('signal', o.signal);
  checks.throwIfAny();
}

/** A per-call auth scheme object (`CallOptions.auth`): what the auth stage calls on it. */
function isAuthScheme(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const scheme = value as Record<string, unknown>;
  return typeof scheme.apply === 'function' && typeof scheme.identity === 'function';
}

/** A `CallOptions.parentSpan`: what the telemetry stages call on it. */
function isSpan(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const span = value as Record<string, unknown>;
  return typeof span.end === 'function' && typeof span.setAttributes === 'function';
}
