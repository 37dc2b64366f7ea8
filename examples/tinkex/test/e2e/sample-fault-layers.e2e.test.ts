import { describe, expect, it } from '@jest/globals';
import type { SamplingClient, SamplingRetryConfig } from '../../src/index.js';
import { E2E_MODES, modeClient, setup, type E2EMode } from './harness.js';
import { forwardingProxy } from '../support/forwarding-proxy.js';

/**
 * Which layer retries a 5xx on a sample's two requests, as in the Python SDK 0.25: a refused poll is the
 * future's own (re-polled, the sample not resubmitted and its retry budget untouched); a refused
 * `asample` is the sampler's (resubmitted once per refusal, by that one layer). The 5 %-fault burst's
 * length rests on this (docs/performance.md, "the 5 %-fault rate"): a poll's 5xx sent through the
 * sampler would cost a resubmission and its 0.5 s backoff instead of one more poll.
 */
async function refusing(target: string, path: '/asample' | '/retrieve_future', times: number) {
  const counts = { asample: 0, retrieve_future: 0 };
  const proxy = await forwardingProxy(target, (req, _body, res) => {
    const path_ = req.url ?? '';
    if (path_.endsWith('/asample')) counts.asample++;
    else if (path_.endsWith('/retrieve_future')) counts.retrieve_future++;
    else return false;
    const seen = path === '/asample' ? counts.asample : counts.retrieve_future;
    if (!path_.endsWith(path) || seen > times) return false;
    res.writeHead(503, { 'content-type': 'application/json' }).end('{"detail":"busy"}');
    return true;
  });
  return { ...proxy, counts };
}

/**
 * A sampler behind a proxy that answers the first `times` requests to `path` with a 503: `check` gets the
 * sampler and the proxy's counts of `asample` and `retrieve_future`.
 */
async function behindRefusals(
  mode: E2EMode,
  refused: { path: '/asample' | '/retrieve_future'; times: number },
  retry_config: Partial<SamplingRetryConfig>,
  check: (sampler: SamplingClient, counts: { asample: number; retrieve_future: number }) => Promise<void>,
) {
  const env = await setup({}, {}, mode);
  const proxy = await refusing(env.emulator.url, refused.path, refused.times);
  const service = modeClient(mode, proxy.url);
  try {
    const sampler = await service.createSamplingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      retry_config,
    });
    await check(sampler, proxy.counts);
  } finally {
    await service.close();
    await proxy.close();
    await env.close();
  }
}

describe.each(E2E_MODES)('a 5xx on a sample, by request (%s)', (mode) => {
  const request = { prompt: [72, 105], sampling_params: { max_tokens: 2 } };
  const fast = { retry_delay_base_ms: 1, retry_delay_max_ms: 1 };

  it("a refused poll is polled again by the future: no resubmission, none of the sampler's retries spent", async () => {
    // No sampler retries at all: the sample completes only if the poll loop re-polled by itself.
    const refused = { path: '/retrieve_future', times: 2 } as const;
    await behindRefusals(mode, refused, { max_retries: 0 }, async (sampler, counts) => {
      const response = await sampler.sample(request);
      expect(response.sequences[0]?.tokens.length).toBeGreaterThan(0);
      expect(counts.asample).toBe(1);
      expect(counts.retrieve_future).toBeGreaterThanOrEqual(3);
    });
  });

  it('a refused asample is resubmitted by the sampler alone, once per refusal', async () => {
    await behindRefusals(mode, { path: '/asample', times: 2 }, fast, async (sampler, counts) => {
      await sampler.sample(request);
      // Two refusals, two resubmissions: no transport retry under the sampler's (the `none` policy).
      expect(counts.asample).toBe(3);
    });
  });

  it("a refused asample spends the sampler's retries: with one retry, a second refusal is the sample's error", async () => {
    const oneRetry = { ...fast, max_retries: 1 };
    await behindRefusals(mode, { path: '/asample', times: 2 }, oneRetry, async (sampler, counts) => {
      await expect(sampler.sample(request)).rejects.toMatchObject({ status: 503 });
      expect(counts.asample).toBe(2);
    });
  });
});
