import type { RequestShapingOptions } from './config-request-options.js';
import type { SamplingDefaultsOptions } from './config-sampling.js';

/** Options of `new ServiceClient(...)`. Wire-style snake_case, as in the Python SDK. */
export interface ServiceClientOptions extends RequestShapingOptions, SamplingDefaultsOptions {
  /** `tml-…` API key, or a JWT (`eyJ…`) used as is. Default: TINKER_API_KEY. */
  api_key?: string;
  /**
   * Shell command printing a credential (TINKER_CREDENTIAL_CMD): used when no API key is set, or for
   * the JWT exchange when the server's `credential_default_source` is `credential_cmd`. Re-run when
   * the credential it printed expires.
   */
  credential_cmd?: string;
  /**
   * Wire protocol: `auto` (default) asks the server's `client/config` and speaks 0.25.0, or the JSON
   * protocol of 0.7.0–0.24.1 when that answers 404; `v025` / `legacy` skip the question.
   * Default: TINKER_PROTOCOL or `auto`.
   */
  protocol?: 'auto' | 'v025' | 'legacy';
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
  /**
   * Fleet-wide limits: every process with this Redis shares sampling dispatch and 429 windows. While
   * Redis cannot be reached, `on_unavailable: 'local'` (default) falls back to this process's own
   * limits; `'reject'` fails calls with `SharedStateUnavailableError` (retryable, except for a Redis Cluster
   * node without `cluster`) before anything is sent.
   * `cluster: true` when `redis` is a node of a Redis Cluster; then `redis` may list several seed nodes
   * (sharing one user and password), so a client starts while one of them is down.
   */
  shared?: { redis: string | readonly string[]; on_unavailable?: 'local' | 'reject'; cluster?: boolean };
  /** Environment to read; defaults to process.env (tests pass their own). */
  env?: Record<string, string | undefined>;
}
