import { Secret, ValidationError } from 'pristine';
import { checkEnvironment, checkServiceClientOptions } from './config-checks.js';
import { VERSION } from './version.js';

export const DEFAULT_BASE_URL = 'https://tinker.thinkingmachines.dev/services/tinker-prod';

/** Options of `new ServiceClient(...)`. Wire-style snake_case, as in the Python SDK. */
export interface ServiceClientOptions {
  api_key?: string;
  base_url?: string;
  timeout_ms?: number;
  /** Transport-level retries per call (Python SDK default: 10). */
  max_retries?: number;
  tags?: string[];
  user_metadata?: Record<string, string>;
  project_id?: string;
  default_headers?: Record<string, string>;
  /** Backend telemetry (POST /api/v1/telemetry). Default: on unless TINKER_TELEMETRY=0. */
  telemetry?: boolean;
  log_level?: 'debug' | 'info' | 'warn' | 'error' | 'off';
  /** Heartbeat cadence; the Python SDK uses 10 s. */
  heartbeat_interval_ms?: number;
  /**
   * Sample submissions in flight at once (the Python SDK's dispatch limit, 400). Results are polled
   * without limit. A lower value bounds memory when thousands of samples are started together.
   */
  sample_dispatch_concurrency?: number;
  /** Environment to read; defaults to process.env (tests pass their own). */
  env?: Record<string, string | undefined>;
}

/** Configuration after layering options > environment > defaults. The key is held as a Secret. */
export interface ResolvedConfig {
  api_key: Secret;
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
  sdk_version: string;
}

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);

/**
 * Read options, then env vars, then defaults. Throws a ValidationError (nothing is built or sent) for a
 * missing or malformed key and for any option of the wrong type or out of range.
 */
export function resolveConfig(options: ServiceClientOptions = {}): ResolvedConfig {
  checkServiceClientOptions(options);
  const env = options.env ?? process.env;
  const nonEmpty = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);
  const key = nonEmpty(options.api_key) ?? nonEmpty(env.TINKER_API_KEY);
  if (!key) {
    throw ValidationError.field(
      'ServiceClient options',
      '/api_key',
      'required',
      'is required (pass api_key or set TINKER_API_KEY)',
    );
  }
  if (!key.startsWith('tml-')) {
    // Never echo the key: only say what is wrong with it.
    throw ValidationError.field('ServiceClient options', '/api_key', 'prefix', 'must start with "tml-"');
  }
  checkEnvironment(env, key);
  const headers: Record<string, string> = {};
  const cfId = nonEmpty(env.CLOUDFLARE_ACCESS_CLIENT_ID);
  const cfSecret = nonEmpty(env.CLOUDFLARE_ACCESS_CLIENT_SECRET);
  if (cfId) headers['CF-Access-Client-Id'] = cfId;
  if (cfSecret) headers['CF-Access-Client-Secret'] = cfSecret;
  Object.assign(headers, options.default_headers ?? {});
  const tags =
    options.tags ??
    nonEmpty(env.TINKER_TAGS)
      ?.split(',')
      .map((t) => t.trim())
      .filter(Boolean) ??
    [];
  const telemetryEnv = nonEmpty(env.TINKER_TELEMETRY);
  return {
    api_key: new Secret(key),
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
      options.telemetry ?? (telemetryEnv === undefined ? true : TRUE_WORDS.has(telemetryEnv.toLowerCase())),
    log_level: options.log_level ?? logLevelFrom(nonEmpty(env.TINKER_LOG)),
    heartbeat_interval_ms: options.heartbeat_interval_ms ?? 10_000,
    sample_dispatch_concurrency: options.sample_dispatch_concurrency ?? 400,
    sdk_version: VERSION,
  };
}

function logLevelFrom(value: string | undefined): ResolvedConfig['log_level'] {
  const v = value?.toLowerCase();
  return v === 'debug' || v === 'info' || v === 'warn' || v === 'error' || v === 'off' ? v : 'warn';
}
