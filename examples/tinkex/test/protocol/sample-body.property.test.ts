import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { shapeV025Body } from '../../src/protocol/body-rules.js';
import { AjvJsonSerializer } from 'pristine-kernel';
import { ownSampleBody, v025SampleBody, type OwnedSampleBody } from '../../src/protocol/sample-body.js';
import { ModelInput, type ModelInputChunk } from '../../src/types/model-input.js';
import { copySamplingParams, type SamplingParams } from '../../src/types/sampling-params.js';
import { SampleRequestSchema } from '../../src/types/sampling.js';

const nullable = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, fc.constant(null));

/** Sampling params as a caller may pass them: any subset of the fields, in any order, nulls included. */
const samplingParams = fc
  .uniqueArray(
    fc.oneof(
      fc.tuple(fc.constant('max_tokens'), nullable(fc.nat(64))),
      fc.tuple(fc.constant('seed'), nullable(fc.integer())),
      fc.tuple(
        fc.constant('stop'),
        nullable(fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 2 }), fc.array(fc.nat(9)))),
      ),
      fc.tuple(fc.constant('temperature'), fc.double({ min: 0, max: 2, noNaN: true })),
      fc.tuple(fc.constant('top_k'), fc.integer({ min: -1, max: 50 })),
      fc.tuple(fc.constant('top_p'), fc.double({ min: 0, max: 1, noNaN: true })),
    ),
    { selector: ([key]) => key, maxLength: 6 },
  )
  .map((entries) => Object.fromEntries(entries) as Record<string, unknown>);

/** Chunks of every kind a ModelInput holds: token chunks with and without `type`, images, pointers. */
const chunk = fc.oneof(
  fc.record({ tokens: fc.array(fc.nat(300), { maxLength: 4 }) }),
  fc.record({ tokens: fc.array(fc.nat(300), { maxLength: 4 }), type: fc.constant('encoded_text') }),
  fc.record(
    {
      data: fc.base64String({ maxLength: 8 }),
      format: fc.constantFrom('png', 'jpeg'),
      expected_tokens: nullable(fc.nat(9)),
      type: fc.constant('image'),
    },
    { requiredKeys: ['data', 'format'] },
  ),
  fc.record({ location: fc.string(), format: fc.constant('png'), type: fc.constant('image_asset_pointer') }),
);

/** A body as SamplingClient builds it (`body`), its fields in that order. */
const sampleBody: fc.Arbitrary<OwnedSampleBody> = fc.record({
  num_samples: fc.integer({ min: 1, max: 4 }),
  prompt: fc.record({ chunks: fc.array(chunk, { maxLength: 4 }) }),
  sampling_params: samplingParams,
  sampling_session_id: fc.string(),
  prompt_logprobs: fc.boolean(),
  topk_prompt_logprobs: fc.nat(5),
  seq_id: fc.nat(),
});

describe('0.25 shape of the asample bodies SamplingClient owns', () => {
  it('is the general rule’s JSON, key order included, also when shaped again (a resubmission)', () => {
    fc.assert(
      fc.property(sampleBody, (body) => {
        const expected = JSON.stringify(shapeV025Body('asample', structuredClone(body)));
        const own = ownSampleBody(structuredClone(body));
        expect(JSON.stringify(shapeV025Body('asample', own))).toBe(expected);
        expect(JSON.stringify(shapeV025Body('asample', own))).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('reuses the body’s own prompt (its chunks typed in its own array) instead of copying it; others are copied', () => {
    const body = () => ({
      num_samples: 1,
      prompt: { chunks: [{ tokens: [72, 105] }] },
      sampling_params: { max_tokens: 8, stop: null },
      sampling_session_id: 'S:sample:0',
      prompt_logprobs: false,
      topk_prompt_logprobs: 0,
      seq_id: 3,
    });
    const own = ownSampleBody(body());
    const shaped = shapeV025Body('asample', own);
    expect(shaped.prompt).toBe(own.prompt);
    expect(own.prompt.chunks).toEqual([{ tokens: [72, 105], type: 'encoded_text' }]);
    // The sampling params are the caller's copy: the shaped body has its own, with defaults and no nulls.
    expect(shaped.sampling_params).toEqual({ temperature: 1, top_k: -1, top_p: 1, max_tokens: 8 });
    expect(own.sampling_params).toEqual({ max_tokens: 8, stop: null });

    const theirs = body();
    expect(shapeV025Body('asample', theirs).prompt).not.toBe(theirs.prompt);
    expect(theirs.prompt.chunks).toEqual([{ tokens: [72, 105] }]);
  });
});

/** What a caller may pass as sampling params: valid ones, nulls where the schema refuses them, bad values. */
const callerParams = fc.oneof(
  samplingParams,
  fc.record(
    {
      temperature: fc.oneof(fc.constant(null), fc.constant(-1), fc.constant('hot')),
      top_k: fc.oneof(fc.constant(null), fc.constant(-2)),
      top_p: fc.oneof(fc.constant(null), fc.constant(2)),
      max_tokens: nullable(fc.integer({ min: -2, max: 9 })),
      unknown_knob: fc.nat(),
    },
    { requiredKeys: [] },
  ),
  fc.constantFrom<unknown>(null, 'greedy', [1, 2]),
);

/** The checks `kernel.validateInput('asample', …)` runs: every issue, in order. */
const issues = (body: unknown) => new AjvJsonSerializer().compile(SampleRequestSchema)(body);

describe('0.25 asample bodies built directly (v025SampleBody)', () => {
  it('are refused exactly as the plain body, and when valid send the shaped plain body’s JSON', () => {
    fc.assert(
      fc.property(
        fc.array(chunk, { maxLength: 4 }),
        callerParams,
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        fc.nat(5),
        (chunks, params, num_samples, prompt_logprobs, topk_prompt_logprobs) => {
          let prompt: ModelInput;
          try {
            prompt = ModelInput.fromChunks(chunks as ModelInputChunk[]);
          } catch {
            return; // refused before any body is built, whatever the protocol
          }
          const parts = {
            num_samples,
            sampling_session_id: 'S:sample:0',
            prompt_logprobs,
            topk_prompt_logprobs,
          };
          // As SamplingClient builds the plain body (JSON protocol, or before negotiation).
          const plain = ownSampleBody({
            num_samples,
            prompt: prompt.toJSON(),
            sampling_params: copySamplingParams(params as SamplingParams) as Record<string, unknown>,
            sampling_session_id: parts.sampling_session_id,
            prompt_logprobs,
            topk_prompt_logprobs,
            seq_id: 0,
          });
          const direct = ownSampleBody(
            v025SampleBody({ ...parts, chunks: prompt.chunks, sampling_params: params }),
          );
          expect(issues(direct)).toStrictEqual(issues(plain));
          if (issues(plain).length > 0) return;
          const shaped = JSON.stringify(shapeV025Body('asample', plain));
          expect(JSON.stringify(direct)).toBe(shaped);
          // The negotiate stage leaves it as it is, on every attempt.
          expect(shapeV025Body('asample', direct)).toBe(direct);
          expect(JSON.stringify(direct)).toBe(shaped);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('holds its own copies: later edits of the caller’s params, stop list and prompt change nothing', () => {
    const params = { max_tokens: 8, stop: ['\n'], seed: null, top_p: 0.5 };
    const tokens = [72, 105];
    const prompt = ModelInput.fromChunks([{ tokens }]);
    const body = v025SampleBody({
      num_samples: 1,
      chunks: prompt.chunks,
      sampling_params: params,
      sampling_session_id: 'S:sample:0',
      prompt_logprobs: false,
      topk_prompt_logprobs: 0,
    });
    params.stop.push('.');
    params.max_tokens = 1;
    tokens.push(7);
    expect(JSON.stringify(body)).toBe(
      '{"num_samples":1,"sampling_params":{"temperature":1,"top_k":-1,"top_p":0.5,"max_tokens":8,"stop":["\\n"]},' +
        '"topk_prompt_logprobs":0,"prompt":{"chunks":[{"tokens":[72,105],"type":"encoded_text"}]},' +
        '"sampling_session_id":"S:sample:0","prompt_logprobs":false,"seq_id":0,"type":"sample"}',
    );
  });
});
