import type { ClientConfigResponse } from '../types/client-config.js';

/** The protocol version Tinkex speaks in 0.25 mode: sent as `sdk_version` and X-Stainless-Package-Version. */
export const PROTOCOL_VERSION = '0.25.0';

/** Every `client/config` flag, after defaults (tinker-wire-0.25.md §14, Python SDK 0.25.0). */
export interface ClientFlags {
  pjwt_auth_enabled: boolean;
  credential_default_source: string;
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

export const DEFAULT_FLAGS: Readonly<ClientFlags> = Object.freeze({
  pjwt_auth_enabled: false,
  credential_default_source: 'api_key',
  sample_dispatch_bytes_semaphore_size: 10 * 1024 * 1024,
  inflight_response_bytes_semaphore_size: 50 * 1024 * 1024,
  parallel_fwdbwd_chunks: true,
  proto_compress_fwdbwd: false,
  fwdbwd_max_chunk_len: 1024,
  fwdbwd_max_chunk_bytes_count: 5_000_000,
  fwdbwd_dispatch_bytes_semaphore_size: 50_000_000,
  billing_exception_max_pause_duration_sec: 3600,
  sample_no_retries: false,
  sample_enable_stuck_detection: true,
  sample_max_concurrent_requests: 2000,
  // Tinkex has one HTTP stack; the flag is read and ignored, as a client without pyqwest would.
  use_pyqwest_transport: true,
  create_model_via_load_weights: false,
});

/** Missing flags take the default; unknown ones are ignored; a flag of the wrong type keeps its default. */
export function resolveFlags(answer: ClientConfigResponse | Record<string, unknown>): ClientFlags {
  const flags: ClientFlags = { ...DEFAULT_FLAGS };
  const record = flags as unknown as Record<string, unknown>;
  for (const [name, fallback] of Object.entries(DEFAULT_FLAGS)) {
    const value = (answer as Record<string, unknown>)[name];
    if (typeof value !== typeof fallback) continue;
    if (typeof value === 'number' && !(Number.isFinite(value) && value >= 0)) continue;
    record[name] = value;
  }
  // A chunk must hold at least one datum, whatever the server says.
  flags.fwdbwd_max_chunk_len = Math.max(1, Math.floor(flags.fwdbwd_max_chunk_len));
  return flags;
}
