import { ServiceClient } from '../examples/tinkex/dist/index.js';

/** A Tinkex client for benchmarks: no backend telemetry, no logs, no environment. */
export const benchClient = (url, options = {}) =>
  new ServiceClient({
    api_key: 'tml-bench',
    base_url: url,
    env: {},
    telemetry: false,
    log_level: 'off',
    ...options,
  });
