import { definedMembers } from '../defaults.js';
/**
 * The server-driven flags of the official 0.25.0 client (`POST /api/v1/client/config`, tinker-wire-0.25.md
 * §14) with the values the emulator answers unless told otherwise: the SDK's defaults, except
 * `use_pyqwest_transport`, which must be false for an unmodified 0.25.0 client whose environment may lack
 * `pyqwest` (the SDK's own default, true, moves it onto that transport).
 */
export interface ClientConfig {
  pjwt_auth_enabled: boolean;
  credential_default_source: 'api_key' | 'credential_cmd';
  sample_dispatch_bytes_semaphore_size: number;
  inflight_response_bytes_semaphore_size: number;
  parallel_fwdbwd_chunks: boolean;
  proto_compress_fwdbwd: boolean;
  fwdbwd_max_chunk_len: number;
  fwdbwd_max_chunk_bytes_count: number;
  fwdbwd_dispatch_bytes_semaphore_size: number;
  billing_exception_max_pause_duration_sec: number;
  sample_no_retries: boolean;
  sample_enable_stuck_detection: boolean;
  sample_max_concurrent_requests: number;
  use_pyqwest_transport: boolean;
  create_model_via_load_weights: boolean;
}

export const CLIENT_CONFIG_DEFAULTS: Readonly<ClientConfig> = Object.freeze({
  pjwt_auth_enabled: false,
  credential_default_source: 'api_key',
  sample_dispatch_bytes_semaphore_size: 10_485_760,
  inflight_response_bytes_semaphore_size: 52_428_800,
  parallel_fwdbwd_chunks: true,
  proto_compress_fwdbwd: false,
  fwdbwd_max_chunk_len: 1024,
  fwdbwd_max_chunk_bytes_count: 5_000_000,
  fwdbwd_dispatch_bytes_semaphore_size: 50_000_000,
  billing_exception_max_pause_duration_sec: 3600,
  sample_no_retries: false,
  sample_enable_stuck_detection: true,
  sample_max_concurrent_requests: 2000,
  use_pyqwest_transport: false,
  create_model_via_load_weights: false,
});

/** `POST /api/v1/client/dynamic_config` (0.25.0 knows only the refresh interval). */
export interface DynamicConfig {
  refresh_interval_sec: number;
}

export const DYNAMIC_CONFIG_DEFAULTS: Readonly<DynamicConfig> = Object.freeze({ refresh_interval_sec: 300 });

const ENUMS: Record<string, readonly string[]> = { credential_default_source: ['api_key', 'credential_cmd'] };

/**
 * Numeric flags are sizes, counts and intervals a client cannot work with at 0 (a semaphore of 0 bytes
 * admits nothing, a chunk of 0 datums never ends, a refresh every 0 s); 0 is meaningful only here.
 */
const MINIMUM: Record<string, number> = { billing_exception_max_pause_duration_sec: 0 };

/**
 * Check a partial flag set against the defaults' names and types: booleans, positive integers, and
 * the one enum. Throws an Error naming the flag and the rule.
 */
export function checkFlags<T extends object>(given: Partial<T>, defaults: Readonly<T>): Partial<T> {
  // A flag given as undefined is not given: it keeps the default (or, in `setClientConfig`, its value).
  const flags = definedMembers(given);
  for (const [name, value] of Object.entries(flags)) {
    if (!(name in defaults))
      throw new Error(`unknown flag "${name}"; known flags: ${Object.keys(defaults).join(', ')}`);
    const expected = typeof (defaults as Record<string, unknown>)[name];
    if (expected === 'boolean' && typeof value !== 'boolean')
      throw new Error(`flag ${name} must be true or false, got ${JSON.stringify(value)}`);
    const min = MINIMUM[name] ?? 1;
    if (expected === 'number' && !(Number.isSafeInteger(value) && (value as number) >= min))
      throw new Error(`flag ${name} must be an integer of at least ${min}, got ${JSON.stringify(value)}`);
    if (expected === 'string' && !ENUMS[name]?.includes(value as string))
      throw new Error(`flag ${name} must be one of ${ENUMS[name]?.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return flags;
}

/** Parse CLI specs `name=value` (value typed by the flag's default) into a checked partial flag set. */
export function parseFlags<T extends object>(specs: string[], defaults: Readonly<T>): Partial<T> {
  const flags: Record<string, unknown> = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new Error(`flag "${spec}" must look like name=value`);
    const name = spec.slice(0, eq);
    const text = spec.slice(eq + 1);
    const expected = typeof (defaults as Record<string, unknown>)[name];
    flags[name] =
      expected === 'boolean'
        ? text === 'true'
          ? true
          : text === 'false'
            ? false
            : text
        : expected === 'number' && /^\d+$/.test(text)
          ? Number(text)
          : text;
  }
  return checkFlags(flags as Partial<T>, defaults);
}
