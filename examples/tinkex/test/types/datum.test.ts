import { describe, expect, it } from '@jest/globals';
import { ValidationError } from 'pristine-kernel';
import { checkData, datum, type Datum } from '../../src/types/datum.js';
import { TensorData } from '../../src/types/tensor-data.js';

const issues = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues;
  }
  throw new Error('expected a ValidationError');
};

describe('datum()', () => {
  it('infers dtypes from well-known keys as the Python SDK does', () => {
    const d = datum([1, 2, 3], { target_tokens: [2, 3, 4], weights: [0, 1, 1] });
    expect(d).toEqual({
      loss_fn_inputs: {
        target_tokens: { data: [2, 3, 4], dtype: 'int64', shape: [3] },
        weights: { data: [0, 1, 1], dtype: 'float32', shape: [3] },
      },
      model_input: { chunks: [{ tokens: [1, 2, 3] }] },
    });
  });

  it('needs an explicit dtype for unknown keys and names the key on bad values', () => {
    expect(issues(() => datum([1], { custom: [1] }))[0].pointer).toBe('/loss_fn_inputs/custom');
    expect(issues(() => datum([1], { target_tokens: [1.5] }))[0].pointer).toBe(
      '/loss_fn_inputs/target_tokens/data/0',
    );
    expect(datum([1], { custom: TensorData.fromArray([7], 'float32') }).loss_fn_inputs.custom.dtype).toBe(
      'float32',
    );
  });
});

describe('checkData', () => {
  const good = datum([1, 2, 3], { target_tokens: [2, 3, 4], weights: [1, 1, 1] });

  it('accepts a well-formed batch', () => {
    expect(() => checkData([good, good], 'cross_entropy')).not.toThrow();
  });

  it('names data[i].loss_fn_inputs.target_tokens when cross_entropy lacks it', () => {
    const bad: Datum = { ...good, loss_fn_inputs: { weights: good.loss_fn_inputs.weights } };
    const [first] = issues(() => checkData([good, bad], 'cross_entropy'));
    expect(first.pointer).toBe('/data/1/loss_fn_inputs/target_tokens');
    expect(first.message).toContain('data[1].loss_fn_inputs.target_tokens');
  });

  it('requires logprobs and advantages for the RL losses', () => {
    const pointers = issues(() => checkData([good], 'ppo')).map((i) => i.pointer);
    expect(pointers).toEqual(['/data/0/loss_fn_inputs/logprobs', '/data/0/loss_fn_inputs/advantages']);
  });

  it('catches length mismatches, wrong dtypes, no data and unknown losses', () => {
    const short = datum([1, 2, 3], { target_tokens: [2, 3], weights: [1, 1, 1] });
    expect(issues(() => checkData([short], 'cross_entropy'))[0]).toMatchObject({
      pointer: '/data/0/loss_fn_inputs/target_tokens',
      rule: 'length',
    });
    const floatTargets: Datum = {
      ...good,
      loss_fn_inputs: { target_tokens: { data: [2, 3, 4], dtype: 'float32' } },
    };
    expect(issues(() => checkData([floatTargets], 'cross_entropy'))[0].pointer).toBe(
      '/data/0/loss_fn_inputs/target_tokens/dtype',
    );
    expect(issues(() => checkData([], 'cross_entropy'))[0].message).toBe('No data provided');
    expect(issues(() => checkData([good], 'mse'))[0].pointer).toBe('/loss_fn');
  });
});
