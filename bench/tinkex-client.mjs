import { ServiceClient } from '../examples/tinkex/dist/index.js';

/**
 * A Tinkex client for benchmarks, with the options a user gets by default: backend telemetry on (every
 * call's start and stop goes to POST /api/v1/telemetry, as Elixir tinkex sends them), validation,
 * heartbeats and retries as shipped. Only the logs are off and the environment is empty, so a
 * developer's TINKER_* variables never change what is measured.
 */
export const benchClient = (url, options = {}) =>
  new ServiceClient({
    api_key: 'tml-bench',
    base_url: url,
    env: {},
    log_level: 'off',
    ...options,
  });
