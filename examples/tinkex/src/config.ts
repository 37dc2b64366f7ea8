import { inspect, type InspectOptions } from 'node:util';
import { Secret, ValidationError, redactHeaders, redactUrl } from 'pristine-kernel';
import { apiKeyProblem } from './api-key-format.js';
import { checkEnvironment, checkServiceClientOptions } from './config-checks.js';
import { resolveRequestShaping, type ResolvedRequestShaping } from './config-request-options.js';
import { checkSamplingDefaults, type SampleThrottle } from './config-sampling.js';
import type { ServiceClientOptions } from './service-client-options.js';
import { emitEnvWarning, envValue, readSwitch, SWITCH_WORDS, type EnvWarn } from './env-value.js';
import { VERSION } from './version.js';

export const DEFAULT_BASE_URL = 'https://tinker.thinkingmachines.dev/services/tinker-prod';

/** Configuration after layering options > environment > defaults. The key is held as a Secret. */
export interface ResolvedConfig extends ResolvedRequestShaping {
  /** Absent when only a credential command is configured. */
  api_key?: Secret;
  /** Where `api_key` came from: the option or the variable (named if the key is an expired JWT). */
  api_key_from?: 'api_key' | 'TINKER_API_KEY';
  /** Where `credential_cmd` came from: the option or the variable (its errors name it). */
  credential_cmd_from?: 'credential_cmd' | 'TINKER_CREDENTIAL_CMD';
  credential_cmd?: string;
  protocol: 'auto' | 'v025' | 'legacy';
  base_url: string;
  timeout_ms: number;
  max_retries: number;
  tags: string[];
  user_metadata: Record<string, string>;
  project_id?: string;
  default_headers: Record<string, string>;
  telemetry: boolean;
  log_level: 'debug' | 'info' | 'warn' | 'error' | 'off';
  heartbeat_interval_ms: number;
  sample_dispatch_concurrency: number;
  /** The Redis URL of `shared.redis`, or a cluster's seed nodes (each may carry a password). */
  shared_redis?: Secret | Secret[];
  /** `shared.on_unavailable`: while Redis is away, fall back to in-process limits or fail calls. */
  shared_on_unavailable?: 'local' | 'reject';
  /** `shared.cluster`: `shared.redis` is a node of a Redis Cluster. */
  shared_cluster: boolean;
  sample_throttle: SampleThrottle;
  sdk_version: string;
}

/**
 * Read options, then env vars, then defaults. Throws a ValidationError (nothing is built or sent) for a
 * missing or malformed key and for any option of the wrong type or out of range. A variable whose value
 * is not understood falls back to its default, said once through `warn`.
 */
export function resolveConfig(
  options: ServiceClientOptions = {},
  warn: EnvWarn = emitEnvWarning,
): ResolvedConfig {
  checkServiceClientOptions(options);
  const env = options.env ?? process.env;
  const nonEmpty = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);
  const key = nonEmpty(options.api_key) ?? nonEmpty(env.TINKER_API_KEY);
  const credentialCmd = nonEmpty(options.credential_cmd) ?? nonEmpty(env.TINKER_CREDENTIAL_CMD);
  if (!key && !credentialCmd) {
    throw ValidationError.field(
      'ServiceClient options',
      '/api_key',
      'required',
      'is required (pass api_key, set TINKER_API_KEY, or set TINKER_CREDENTIAL_CMD)',
    );
  }
  const keyProblem = key === undefined ? undefined : apiKeyProblem(key);
  // Never echo the key: only say what is wrong with it.
  if (keyProblem) throw ValidationError.field('ServiceClient options', '/api_key', 'prefix', keyProblem);
  const protocol = options.protocol ?? nonEmpty(env.TINKER_PROTOCOL)?.toLowerCase() ?? 'auto';
  if (protocol !== 'auto' && protocol !== 'v025' && protocol !== 'legacy') {
    // Named as the caller set it: the option, or else the variable (as every other variable is).
    const [where, pointer] =
      options.protocol === undefined
        ? ['ServiceClient environment', '/env/TINKER_PROTOCOL']
        : ['ServiceClient options', '/protocol'];
    throw ValidationError.field(where, pointer, 'enum', 'must be "auto", "v025" or "legacy"');
  }
  checkEnvironment(env, key);
  const headers: Record<string, string> = {};
  const cfId = nonEmpty(env.CLOUDFLARE_ACCESS_CLIENT_ID);
  const cfSecret = nonEmpty(env.CLOUDFLARE_ACCESS_CLIENT_SECRET);
  if (cfId) headers[CLOUDFLARE_ACCESS_ID] = cfId;
  if (cfSecret) headers[CLOUDFLARE_ACCESS_SECRET] = cfSecret;
  Object.assign(headers, options.default_headers ?? {});
  const tags =
    options.tags ??
    nonEmpty(env.TINKER_TAGS)
      ?.split(',')
      .map((t) => t.trim())
      .filter(Boolean) ??
    [];
  const config = withRedactedView({
    ...resolveRequestShaping(options, env, warn),
    ...checkSamplingDefaults(options),
    api_key: key ? new Secret(key) : undefined,
    api_key_from: key === undefined ? undefined : nonEmpty(options.api_key) ? 'api_key' : 'TINKER_API_KEY',
    credential_cmd: credentialCmd,
    credential_cmd_from:
      credentialCmd === undefined
        ? undefined
        : nonEmpty(options.credential_cmd)
          ? 'credential_cmd'
          : 'TINKER_CREDENTIAL_CMD',
    protocol,
    base_url: (nonEmpty(options.base_url) ?? nonEmpty(env.TINKER_BASE_URL) ?? DEFAULT_BASE_URL).replace(
      /\/+$/,
      '',
    ),
    timeout_ms: options.timeout_ms ?? 60_000,
    max_retries: options.max_retries ?? 10,
    tags: [...new Set(tags)],
    user_metadata: options.user_metadata ?? {},
    project_id: options.project_id ?? nonEmpty(env.TINKER_PROJECT_ID),
    default_headers: headers,
    telemetry:
      options.telemetry ??
      envValue(
        env,
        'TINKER_TELEMETRY',
        readSwitch,
        { accepts: SWITCH_WORDS, unset: true, fallback: false, usingText: 'off' },
        warn,
      ),
    log_level: options.log_level ?? logLevelFrom(nonEmpty(env.TINKER_LOG)),
    heartbeat_interval_ms: options.heartbeat_interval_ms ?? 10_000,
    sample_dispatch_concurrency: options.sample_dispatch_concurrency ?? 400,
    shared_redis: sharedRedis(options.shared),
    shared_on_unavailable: sharedOnUnavailable(options.shared),
    shared_cluster: sharedCluster(options.shared),
    sdk_version: VERSION,
  });
  if (options.max_retries === undefined) return config;
  return Object.defineProperty(config, MAX_RETRIES_GIVEN, { value: true });
}

/**
 * Marks a config whose `max_retries` the caller gave (the rest hold the default 10). A part of the
 * config itself, like its redacted view: non-enumerable and keyed by a symbol of this module, so it is
 * no field (not in keys, JSON or inspect) and no public API.
 */
const MAX_RETRIES_GIVEN = Symbol('max_retries given');

/**
 * Whether the caller gave `max_retries` (the CLI's `--max-retries`), not the default: a call with a
 * built-in retry count of its own (the archive URL's) keeps it only when the caller named none.
 */
export function maxRetriesGiven(config: ResolvedConfig): boolean {
  return (config as { [MAX_RETRIES_GIVEN]?: true })[MAX_RETRIES_GIVEN] === true;
}

const CLOUDFLARE_ACCESS_ID = 'CF-Access-Client-Id';
const CLOUDFLARE_ACCESS_SECRET = 'CF-Access-Client-Secret';

/**
 * The Cloudflare Access service token, id and secret, is a credential wherever it appears: from the
 * environment or set by hand in `default_headers`, in any letter case.
 */
export function cloudflareAccessValues(headers: Readonly<Record<string, string>>): string[] {
  const names = new Set([CLOUDFLARE_ACCESS_ID, CLOUDFLARE_ACCESS_SECRET].map((n) => n.toLowerCase()));
  return Object.entries(headers)
    .filter(([name]) => names.has(name.toLowerCase()))
    .map(([, value]) => value);
}

/**
 * `console.log(service.config)` (or of a client) and `JSON.stringify`: the values of secret default
 * headers (a gateway token, `Bearer …` under any name, the Cloudflare Access service token) print as
 * `[REDACTED]`, like the key, and the base URL's `user:password@` as `***:***@`.
 */
function withRedactedView(config: ResolvedConfig): ResolvedConfig {
  // Non-enumerable, so the spread copies the plain fields only.
  const view = () => ({
    ...config,
    base_url: redactUrl(config.base_url),
    default_headers: redactHeaders(config.default_headers, [CLOUDFLARE_ACCESS_ID]),
  });
  return Object.defineProperties(config, {
    [inspect.custom]: {
      value: (_depth: number, options: InspectOptions, inspectValue: typeof inspect) =>
        inspectValue(view(), options),
    },
    toJSON: { value: view },
  });
}

/**
 * `shared.redis`: one URL, or (with `cluster`) several seed nodes of one cluster, so a link starts while a
 * seed is down. Each is a secret (it may carry a password). What they must be (a redis:// or rediss:// URL
 * each, at least one, several only with `cluster`, one set of credentials) is the kernel's rule: the
 * ServiceClient's kernel refuses them at construction, before anything is sent, naming the field.
 */
function sharedRedis(shared: ServiceClientOptions['shared']): Secret | Secret[] | undefined {
  if (shared === undefined) return undefined;
  const redis: unknown = shared?.redis;
  // Not a string: kept as its text (a Secret holds a string), which the kernel refuses as no URL.
  return Array.isArray(redis) ? redis.map((seed) => new Secret(String(seed))) : new Secret(String(redis));
}

function sharedOnUnavailable(shared: ServiceClientOptions['shared']): 'local' | 'reject' | undefined {
  const value = shared?.on_unavailable;
  if (value === undefined || value === 'local' || value === 'reject') return value;
  throw ValidationError.field(
    'ServiceClient options',
    '/shared/on_unavailable',
    'enum',
    "must be 'local' (fall back to in-process limits) or 'reject' (fail calls until Redis returns)",
  );
}

function sharedCluster(shared: ServiceClientOptions['shared']): boolean {
  const value = shared?.cluster ?? false;
  if (typeof value === 'boolean') return value;
  throw ValidationError.field('ServiceClient options', '/shared/cluster', 'type', 'must be a boolean');
}

function logLevelFrom(value: string | undefined): ResolvedConfig['log_level'] {
  const v = value?.toLowerCase();
  return v === 'debug' || v === 'info' || v === 'warn' || v === 'error' || v === 'off' ? v : 'warn';
}
