// docs/tinkex.md "Request options and resilience", verbatim; test/docs/api-extras.test.ts runs it.
import { ServiceClient } from 'tinkex';

const service = new ServiceClient({
  default_query: { team: 'research' }, // on every request to the API (TINKEX_DEFAULT_QUERY)
  poll_backoff: 'exponential', // wait 1 s, 2 s, … 30 s before re-polling after a 408/5xx (TINKEX_POLL_BACKOFF)
  circuit_breaker: { failure_threshold: 5, reset_timeout_ms: 30_000 }, // off unless asked, as in Elixir
  sample_throttle: { window_ms: 10_000, concurrency: 10, bytes_factor: 20 }, // after a sampling 429
  // proxy: 'http://user:pass@proxy.internal:3128', // or TINKEX_PROXY, HTTPS_PROXY, HTTP_PROXY
});
const sampler = await service.createSamplingClient({
  base_model: 'meta-llama/Llama-3.2-1B',
  retry_config: {
    max_connections: 64, // samples of this sampler in progress at once
    progress_timeout_ms: 600_000, // stuck detection: no sample finished for 10 min → APIConnectionError
    enable_stuck_detection: true,
  },
});
const out = await sampler.sample({ prompt: [84, 104, 101], sampling_params: { max_tokens: 3 } });
console.log('sampled tokens:', out.sequences[0]?.tokens.length);
await service.close();
