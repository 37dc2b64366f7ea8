import {
  exponentialDelay,
  OptionChecks,
  Secret,
  ValidationError,
  type BreakerSettings,
} from 'pristine-kernel';
import { envValue, readSwitch, SWITCH_WORDS, type EnvWarn } from './env-value.js';

/**
 * How long to wait before re-polling a future after a 408 or a 5xx (Elixir tinkex `poll_backoff`):
 * `'none'` re-polls at once (the Python SDK's behaviour; the kernel still paces), `'exponential'` is
 * 1 s doubling to 30 s, `{ initial_ms, max_ms }` the same curve with other bounds, and a function
 * gets the poll iteration (0 for the first poll) and returns milliseconds.
 */
export type PollBackoff =
  'none' | 'exponential' | { initial_ms: number; max_ms: number } | ((iteration: number) => number);

/**
 * The circuit breaker of Elixir tinkex (`CircuitBreaker`), off by default as there. On, it counts
 * server-side failures (5xx, connection errors, timeouts; never 4xx) per base URL and resource
 * (training, sampling, futures, …): after `failure_threshold` in a row it opens, and calls fail fast
 * with `CircuitOpenError` until `reset_timeout_ms` has passed; then one trial call decides.
 */
export type CircuitBreakerOption = boolean | { failure_threshold?: number; reset_timeout_ms?: number };

/** The ServiceClient options of this file. */
export interface RequestShapingOptions {
  /** Query parameters added to every request to the Tinker API. Default: TINKEX_DEFAULT_QUERY (a JSON object). */
  default_query?: Record<string, string>;
  /**
   * Proxy URL for every request (`http://user:pass@host:port`; credentials are secrets). Default:
   * TINKEX_PROXY, else HTTPS_PROXY / HTTP_PROXY (honouring NO_PROXY), as httpx does for the Python SDK.
   */
  proxy?: string;
  /** Default: TINKEX_POLL_BACKOFF (`1`/`true`/`exponential` → `'exponential'`), else `'none'`. */
  poll_backoff?: PollBackoff;
  /** Default: off. */
  circuit_breaker?: CircuitBreakerOption;
}

/** Elixir tinkex defaults: 5 failures, 30 s before a trial call. */
export const DEFAULT_BREAKER = { failure_threshold: 5, reset_timeout_ms: 30_000 } as const;
type BreakerOptions = { failure_threshold: number; reset_timeout_ms: number };
const BREAKER_NAMES: ReadonlySet<string> = new Set(Object.keys(DEFAULT_BREAKER));

export interface ResolvedRequestShaping {
  default_query: Record<string, string>;
  /** The proxy URL (its credentials are secrets). */
  proxy?: Secret;
  /** Set when TINKEX_PROXY (not the `proxy` option) gave the proxy: the kernel's debug line names it. */
  proxy_source?: 'TINKEX_PROXY';
  /** Delay (ms) before the re-poll that follows a 408 or 5xx, by poll iteration; undefined for none. */
  poll_backoff?: (iteration: number) => number;
  /** Kernel breaker settings, or false (the default). */
  circuit_breaker: BreakerSettings | false;
}

/** Options first, then environment variables; each checked, named by option or variable. */
export function resolveRequestShaping(
  options: RequestShapingOptions,
  env: Record<string, string | undefined>,
  warn?: EnvWarn,
): ResolvedRequestShaping {
  const checks = new OptionChecks('ServiceClient options');
  checks.stringRecord('default_query', options.default_query).url('proxy', options.proxy);
  checkPollBackoff(checks, options.poll_backoff);
  checkBreaker(checks, options.circuit_breaker);
  checks.throwIfAny();
  const proxy = options.proxy ?? nonEmpty(env.TINKEX_PROXY);
  if (options.proxy === undefined && proxy !== undefined) {
    new OptionChecks('ServiceClient environment', '/env').url('TINKEX_PROXY', proxy).throwIfAny();
  }
  return {
    default_query: options.default_query ?? queryFromEnv(nonEmpty(env.TINKEX_DEFAULT_QUERY)),
    proxy: proxy === undefined ? undefined : new Secret(proxy),
    // Named in the kernel's debug line: the variable when it set the proxy (the option is the default).
    ...(options.proxy === undefined && proxy !== undefined ? { proxy_source: 'TINKEX_PROXY' as const } : {}),
    poll_backoff: pollBackoffFn(options.poll_backoff ?? pollBackoffFromEnv(env, warn)),
    circuit_breaker: breakerSettings(options.circuit_breaker ?? false),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** TINKEX_DEFAULT_QUERY: a JSON object; numbers and booleans become strings, as Elixir tinkex does. */
function queryFromEnv(raw: string | undefined): Record<string, string> {
  if (raw === undefined) return {};
  const fail = (rule: string, message: string): never => {
    throw ValidationError.field('ServiceClient environment', '/env/TINKEX_DEFAULT_QUERY', rule, message);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return fail('json', 'must be a JSON object such as {"key":"value"}');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return fail('type', 'must be a JSON object such as {"key":"value"}');
  const query: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (value === null) continue;
    if (key.trim() === '') fail('propertyNames', 'parameter names must not be empty');
    if (!['string', 'number', 'boolean'].includes(typeof value))
      fail('type', `"${key}" must be a string, a number or a boolean`);
    query[key] = String(value);
  }
  return query;
}

/** TINKEX_POLL_BACKOFF: on (a yes word or `exponential`) or off (a no word or `none`). */
function pollBackoffFromEnv(env: Record<string, string | undefined>, warn?: EnvWarn): PollBackoff {
  const read = (value: string) => {
    const v = value.toLowerCase();
    return v === 'exponential' ? true : v === 'none' ? false : readSwitch(v);
  };
  const accepts = `${SWITCH_WORDS}, exponential or none`;
  return envValue(env, 'TINKEX_POLL_BACKOFF', read, { accepts, fallback: false, usingText: 'none' }, warn)
    ? 'exponential'
    : 'none';
}

function checkPollBackoff(checks: OptionChecks, value: PollBackoff | undefined): void {
  if (value === undefined || value === 'none' || value === 'exponential' || typeof value === 'function')
    return;
  if (value === null || typeof value !== 'object') {
    checks.fail(
      'poll_backoff',
      'type',
      'must be "none", "exponential", { initial_ms, max_ms } or a function',
    );
    return;
  }
  checks.duration('poll_backoff/initial_ms', value.initial_ms).duration('poll_backoff/max_ms', value.max_ms);
  if (value.initial_ms === undefined) checks.fail('poll_backoff/initial_ms', 'required', 'is required');
  if (value.max_ms === undefined) checks.fail('poll_backoff/max_ms', 'required', 'is required');
  if (value.initial_ms > value.max_ms)
    checks.fail('poll_backoff/max_ms', 'minimum', 'must be at least initial_ms');
}

/**
 * Elixir's `backoff(i, init, max) = min(2^min(i, floor(log2(max/init)) + 1, 30) · init, max)`, which is
 * the kernel's `exponentialDelay(init, max)`. A function's answer is checked on every call: a NaN or
 * negative delay would spin.
 */
function pollBackoffFn(value: PollBackoff): ((iteration: number) => number) | undefined {
  if (value === 'none') return undefined;
  if (typeof value === 'function') {
    return (iteration) => {
      const ms = value(iteration);
      if (!(Number.isFinite(ms) && ms >= 0)) {
        throw ValidationError.field(
          'ServiceClient options',
          '/poll_backoff',
          'finite',
          'the poll_backoff function must return a finite number of milliseconds ≥ 0',
        );
      }
      return ms;
    };
  }
  const { initial_ms, max_ms } = value === 'exponential' ? { initial_ms: 1_000, max_ms: 30_000 } : value;
  return exponentialDelay(initial_ms, max_ms);
}

function checkBreaker(checks: OptionChecks, value: CircuitBreakerOption | undefined): void {
  if (value === undefined || typeof value === 'boolean') return;
  if (value === null || typeof value !== 'object') {
    checks.fail('circuit_breaker', 'type', 'must be a boolean or { failure_threshold, reset_timeout_ms }');
    return;
  }
  checks
    .integer('circuit_breaker/failure_threshold', value.failure_threshold, 1)
    .duration('circuit_breaker/reset_timeout_ms', value.reset_timeout_ms);
  checks.only(value, BREAKER_NAMES, 'a breaker option', 'circuit_breaker');
}

function breakerSettings(value: CircuitBreakerOption): BreakerSettings | false {
  if (value === false) return false;
  const given = value === true ? undefined : value;
  const { failure_threshold, reset_timeout_ms } = OptionChecks.withDefaults<BreakerOptions>(
    DEFAULT_BREAKER,
    given,
  );
  return { consecutiveFailures: failure_threshold, halfOpenAfterMs: reset_timeout_ms };
}
