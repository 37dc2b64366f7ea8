import { describe, expect, it } from '@jest/globals';
import { REQUEST_SCHEMAS } from '../src/schemas.js';
import { validate } from '../src/validation.js';

// The 400 answer names the offending field by its path in the body: clients and their tests read it.
const asample = (over: Record<string, unknown> = {}) => ({
  prompt: { chunks: [{ type: 'encoded_text', tokens: [1, 2] }] },
  sampling_params: { max_tokens: 8, temperature: 1, top_k: -1, top_p: 1 },
  sampling_session_id: 's',
  num_samples: 1,
  seq_id: 0,
  type: 'sample',
  ...over,
});

describe('request validation', () => {
  it('accepts the 0.7.0 and the 0.25.0 shapes of one request', () => {
    expect(validate(asample(), REQUEST_SCHEMAS.asample)).toBeUndefined();
    const legacy: Record<string, unknown> = asample({ prompt: { chunks: [{ tokens: [1] }] } });
    delete legacy.type;
    expect(validate(legacy, REQUEST_SCHEMAS.asample)).toBeUndefined();
  });

  it("refuses Object.prototype's names as unknown fields, as any other", () => {
    // `name in fields` took `constructor`, `toString` and `__proto__` (JSON.parse makes it an own key)
    // for known fields: a typo'd or hostile body went through.
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const body = JSON.parse(`{"sampling_params": {"max_tokens": 8, "${name}": 1}}`) as Record<
        string,
        unknown
      >;
      expect(validate(asample(body), REQUEST_SCHEMAS.asample)).toEqual({
        field: `sampling_params.${name}`,
        problem: 'is not a known field',
      });
    }
  });

  it('names a nested field by its path: object keys dotted, array items indexed', () => {
    const body = asample({ prompt: { chunks: [{ type: 'encoded_text', tokens: [1, 2.5] }] } });
    expect(validate(body, REQUEST_SCHEMAS.asample)).toEqual({
      field: 'prompt.chunks[0].tokens[1]',
      problem: 'must be an integer',
    });
    expect(validate(asample({ sampling_params: { top_p: 'x' } }), REQUEST_SCHEMAS.asample)).toEqual({
      field: 'sampling_params.top_p',
      problem: 'must be a number',
    });
  });

  it('reports missing and unknown fields, and a body that is not an object', () => {
    const missing: Record<string, unknown> = asample();
    delete missing.prompt;
    expect(validate(missing, REQUEST_SCHEMAS.asample)).toEqual({ field: 'prompt', problem: 'is required' });
    expect(validate(asample({ extra: 1 }), REQUEST_SCHEMAS.asample)).toEqual({
      field: 'extra',
      problem: 'is not a known field',
    });
    expect(validate([], REQUEST_SCHEMAS.asample)).toEqual({ field: '(body)', problem: 'must be an object' });
  });

  it('names the key of a record entry and of a tensor inside it', () => {
    const datum = {
      model_input: { chunks: [] },
      loss_fn_inputs: { weights: { data: [1, 'x'], dtype: 'float32' } },
    };
    const body = {
      forward_backward_input: { data: [datum], loss_fn: 'cross_entropy' },
      model_id: 'm',
    };
    expect(validate(body, REQUEST_SCHEMAS.forward_backward)).toEqual({
      field: 'forward_backward_input.data[0].loss_fn_inputs.weights.data[1]',
      problem: 'must be a number',
    });
  });
});
