import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { shapeV025Body } from '../../src/protocol/body-rules.js';
import { ownSampleBody } from '../../src/protocol/sample-body.js';
import { typedTextChunk } from '../../src/protocol/text-chunk.js';
import { ModelInput } from '../../src/types/model-input.js';

const spread = (chunk: Record<string, unknown>) => ({ ...chunk, type: 'encoded_text' });

/** Token chunks as anyone may hand them over: extra keys in any order, `type: undefined`, nested values. */
const chunk = fc
  .uniqueArray(
    fc.oneof(
      fc.tuple(fc.constant('tokens'), fc.array(fc.nat(300), { maxLength: 4 })),
      fc.tuple(fc.constant('type'), fc.constant(undefined)),
      fc.tuple(fc.constantFrom('extra', 'expected_tokens', 'data'), fc.jsonValue()),
    ),
    { selector: ([key]) => key, maxLength: 4 },
  )
  .map((entries) => Object.fromEntries([['tokens', [1, 2]], ...entries]) as Record<string, unknown>);

describe('typedTextChunk', () => {
  it('is `{ ...chunk, type: "encoded_text" }` to JSON, key order included, on any token chunk', () => {
    fc.assert(
      fc.property(chunk, (c) => {
        expect(JSON.stringify(typedTextChunk(c))).toBe(JSON.stringify(spread(c)));
        expect(Object.keys(typedTextChunk(c))).toEqual(Object.keys(spread(c)));
      }),
      { numRuns: 500 },
    );
  });

  it('copies what a spread copies: own enumerable keys only, a getter’s value', () => {
    const inherited = Object.assign(Object.create({ tokens: [9], extra: 1 }) as object, { tokens: [1] });
    const hidden = Object.defineProperty({ other: 1 }, 'tokens', { value: [1], enumerable: false });
    const getter = {
      get tokens() {
        return [7];
      },
    };
    for (const c of [inherited, hidden, getter] as Record<string, unknown>[]) {
      expect(JSON.stringify(typedTextChunk(c))).toBe(JSON.stringify(spread(c)));
    }
    const onlyInherited = Object.create({ tokens: [9] }) as Record<string, unknown>;
    expect(typedTextChunk(onlyInherited)).toEqual({ type: 'encoded_text' });
  });

  it('gives the typed chunks of ModelInput prompts one hidden class, not one per sample', () => {
    // V8's own check (parsed after the flag). A chunk of ModelInput.toJSON() typed in place (or spread)
    // got a map of its own: an inline-cache miss per sample wherever chunks are read, and a map held per
    // sample in progress.
    setFlagsFromString('--allow-natives-syntax');
    const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (
      a: unknown,
      b: unknown,
    ) => boolean;
    const shaped = Array.from({ length: 50 }, (_, i) => {
      const body = ownSampleBody({
        num_samples: 1,
        prompt: ModelInput.fromInts([72, 105 + i]).toJSON(),
        sampling_params: { max_tokens: 8 },
        sampling_session_id: 'S:sample:0',
        prompt_logprobs: false,
        topk_prompt_logprobs: 0,
        seq_id: i,
      });
      return (shapeV025Body('asample', body).prompt as { chunks: unknown[] }).chunks[0];
    });
    expect(shaped[49]).toEqual({ tokens: [72, 154], type: 'encoded_text' });
    for (let i = 1; i < shaped.length; i++) expect(sameMap(shaped[i], shaped[0])).toBe(true);
  });
});
