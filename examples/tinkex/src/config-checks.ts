import { OptionChecks, headerValueProblem, optionNames } from 'pristine-kernel';
import type { ServiceClientOptions } from './service-client-options.js';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'off'] as const;
/** Heartbeats more often than once a second only load the server (the Python SDK sends one per 10 s). */
export const MIN_HEARTBEAT_INTERVAL_MS = 1_000;

/** Every ServiceClient option, and `configureKernel` (ServiceClientInit's, checked here with the rest). */
export const OPTION_NAMES = optionNames<ServiceClientOptions & { configureKernel?: unknown }>({
  api_key: true,
  credential_cmd: true,
  protocol: true,
  base_url: true,
  timeout_ms: true,
  max_retries: true,
  tags: true,
  user_metadata: true,
  project_id: true,
  default_headers: true,
  telemetry: true,
  log_level: true,
  heartbeat_interval_ms: true,
  sample_dispatch_concurrency: true,
  shared: true,
  env: true,
  default_query: true,
  proxy: true,
  poll_backoff: true,
  circuit_breaker: true,
  sample_throttle: true,
  configureKernel: true,
});

/** The keys of the `shared` option (fleet-wide limits through Redis). */
const SHARED_KEYS: ReadonlySet<string> = new Set(['redis', 'on_unavailable', 'cluster']);

/**
 * Check every ServiceClient option and the environment variables that stand in for them, before
 * anything is built: a bad one is a ValidationError naming the option and the rule, never a later
 * TypeError, an endless retry loop, a heartbeat storm or a header that can never be sent. The key is
 * never quoted.
 */
export function checkServiceClientOptions(options: unknown): void {
  const checks = new OptionChecks('ServiceClient options');
  const o = checks.root(options, { names: OPTION_NAMES, what: 'a ServiceClient option' });
  if (o.env !== undefined && (o.env === null || typeof o.env !== 'object')) {
    checks.fail('env', 'type', 'must be an object of environment variables');
  }
  checks
    .string('api_key', o.api_key)
    .baseUrl('base_url', o.base_url === '' ? undefined : o.base_url)
    .duration('timeout_ms', o.timeout_ms)
    .integer('max_retries', o.max_retries, 0)
    .strings('tags', o.tags)
    .stringRecord('user_metadata', o.user_metadata)
    .string('project_id', o.project_id)
    .headers('default_headers', o.default_headers)
    .boolean('telemetry', o.telemetry)
    .oneOf('log_level', o.log_level, LOG_LEVELS)
    .duration('heartbeat_interval_ms', o.heartbeat_interval_ms, MIN_HEARTBEAT_INTERVAL_MS)
    .func('configureKernel', o.configureKernel);
  // `shared`'s values are checked where they are read (config.ts); a misspelt key is caught here, since
  // ignoring it (`onUnavailable: 'reject'`) would silently keep the default behaviour.
  checks.only(o.shared, SHARED_KEYS, 'a shared option', 'shared');
  if (o.sample_dispatch_concurrency !== undefined) {
    const n = o.sample_dispatch_concurrency;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      checks.fail('sample_dispatch_concurrency', 'minimum', 'must be an integer ≥ 1');
    }
  }
  checks.throwIfAny();
}

/** Values read from the environment follow the same rules, named by their variable. */
export function checkEnvironment(env: Record<string, string | undefined>, apiKey: string | undefined): void {
  const checks = new OptionChecks('ServiceClient environment', '/env');
  const keyProblem = apiKey === undefined ? undefined : headerValueProblem(apiKey);
  if (keyProblem) {
    // The key may come from the option or from TINKER_API_KEY; the pointer names the option either way.
    checks.issues.push({ pointer: '/api_key', rule: 'header-value', message: keyProblem });
  }
  if (env.TINKER_BASE_URL) checks.baseUrl('TINKER_BASE_URL', env.TINKER_BASE_URL);
  for (const name of ['CLOUDFLARE_ACCESS_CLIENT_ID', 'CLOUDFLARE_ACCESS_CLIENT_SECRET']) {
    const value = env[name];
    const problem = value ? headerValueProblem(value) : undefined;
    if (problem) checks.fail(name, 'header-value', problem);
  }
  checks.throwIfAny();
}
