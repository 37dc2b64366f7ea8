import { expect, it } from '@jest/globals';
import { bytes, describeInModes, setup } from './harness.js';

/**
 * Two-phase retrieval (tinker-wire-0.25.md §7, Python SDK §1.4): a poll answered `complete_metadata`
 * takes the result's size from `inflight_response_bytes_semaphore_size` before it fetches the result.
 * The emulator holds each full result for a while (a slow download) and records the bytes being
 * fetched at once; the peak must stay within the budget the server announced.
 */
const SAMPLES = 8;
// No stop condition: every result is about the same size (about 270 protobuf bytes; a few bytes vary
// with prompt_cache_hit_tokens, since the prompts share a prefix).
const MAX_TOKENS = 32;

async function fetchResults(budget?: number) {
  const { emulator, service, close } = await setup({
    metadataThresholdBytes: 64,
    resultHoldMs: 150,
    clientConfig: budget === undefined ? {} : { inflight_response_bytes_semaphore_size: budget },
  });
  try {
    const sampler = await service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
    const responses = await Promise.all(
      Array.from({ length: SAMPLES }, (_, i) =>
        sampler.sample({
          prompt: bytes(`prompt ${i}`),
          sampling_params: { max_tokens: MAX_TOKENS, seed: i },
        }),
      ),
    );
    const { metadataAnswers, peakResultBytesInFlight } = emulator.state;
    return { responses, metadataAnswers: [...metadataAnswers], peak: peakResultBytesInFlight };
  } finally {
    await close();
  }
}

// Two-phase retrieval and the byte budget exist only in 0.25; the JSON protocol fetches results whole.
describeInModes(['v025', 'v025-jwt-zstd'], 'in-flight result byte budget (0.25 two-phase retrieval)', () => {
  it('fetches large results one budget at a time, and every result still arrives in full', async () => {
    const budget = 400; // one result fits, two do not
    const { responses, metadataAnswers, peak } = await fetchResults(budget);
    expect(metadataAnswers).toHaveLength(SAMPLES);
    const size = metadataAnswers[0];
    expect(size).toBeGreaterThan(budget / 2);
    expect(size).toBeLessThanOrEqual(budget);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(budget);
    for (const response of responses) expect(response.sequences[0].tokens).toHaveLength(MAX_TOKENS);
  });

  it('without a tight budget the same results are fetched together (what the budget prevents)', async () => {
    const { metadataAnswers, peak } = await fetchResults();
    expect(metadataAnswers).toHaveLength(SAMPLES);
    // Eight polls held 150 ms each, sent at once: at least two overlap at the server.
    expect(peak).toBeGreaterThan(metadataAnswers[0]);
  });

  it('a result larger than the whole budget is still fetched (alone), not refused', async () => {
    const { responses, metadataAnswers, peak } = await fetchResults(100);
    expect(Math.min(...metadataAnswers)).toBeGreaterThan(100);
    // Fetched one at a time: the peak is the largest single result, never two at once.
    expect(peak).toBe(Math.max(...metadataAnswers));
    expect(responses).toHaveLength(SAMPLES);
  });
});
