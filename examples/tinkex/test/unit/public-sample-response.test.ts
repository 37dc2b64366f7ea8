import { describe, expect, it } from '@jest/globals';
import { publicSampleResponse } from '../../src/client/public-sample-response.js';
import type { SampleResponse } from '../../src/index.js';

/**
 * What a JSON server older than the emulator may leave out (a sequence's logprobs, `type`, the cache-hit
 * count before 0.23) takes the 0.25 result's value; the end-to-end shape test covers what the emulator
 * leaves out (prompt logprobs not asked for).
 */
describe('publicSampleResponse', () => {
  it('fills every field a JSON server left out with the 0.25 value', () => {
    const sparse = { sequences: [{ stop_reason: 'length', tokens: [1, 2] }] } as SampleResponse;
    expect(publicSampleResponse(sparse)).toStrictEqual({
      sequences: [{ stop_reason: 'length', tokens: [1, 2], logprobs: null }],
      type: 'sample',
      prompt_logprobs: null,
      topk_prompt_logprobs: null,
      prompt_cache_hit_tokens: 0,
    });
  });

  it('returns a complete response as it came', () => {
    const complete: SampleResponse = {
      sequences: [{ stop_reason: 'stop', tokens: [3], logprobs: [-0.5] }],
      type: 'sample',
      prompt_logprobs: [null, -1],
      topk_prompt_logprobs: null,
      prompt_cache_hit_tokens: 4,
    };
    expect(publicSampleResponse(complete)).toBe(complete);
  });
});
