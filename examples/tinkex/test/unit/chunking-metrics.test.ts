import { describe, expect, it } from '@jest/globals';
import { chunkData, estimateDatumBytes, mergeMetrics, mergeOutputs, type Datum } from '../../src/index.js';

const datum = (tokens: number): Datum => ({
  model_input: { chunks: [{ tokens: new Array(tokens).fill(1) }] },
  loss_fn_inputs: {
    target_tokens: { data: new Array(tokens).fill(1), dtype: 'int64' },
    weights: { data: new Array(tokens).fill(1), dtype: 'float32' },
  },
});

describe('chunking', () => {
  it('splits greedily in order at 1024 datums', () => {
    const data = Array.from({ length: 2500 }, () => datum(1));
    const chunks = chunkData(data);
    expect(chunks.map((c) => c.length)).toEqual([1024, 1024, 452]);
    expect(chunks.flat()).toEqual(data);
  });

  it('splits at the byte budget and gives an oversized datum a chunk of its own', () => {
    const small = datum(1000);
    const budget = estimateDatumBytes(small) * 2.5; // room for two small datums, not three
    const big = datum(4000); // alone it is over the budget
    expect(estimateDatumBytes(big)).toBeGreaterThan(budget);
    const chunks = chunkData([small, small, small, big, small], { maxBytes: budget });
    expect(chunks.map((c) => c.length)).toEqual([2, 1, 1, 1]);
    expect(chunks[2][0]).toBe(big);
  });
});

describe('metric merging', () => {
  it('merges by name:reduction with weighted means', () => {
    const merged = mergeMetrics(
      [
        {
          'loss:mean': 1,
          'loss:sum': 2,
          'x:min': 3,
          'x:max': 3,
          'gap:slack': 1,
          'id:unique': 7,
          'only:sum': 1,
        },
        { 'loss:mean': 4, 'loss:sum': 5, 'x:min': 1, 'x:max': 9, 'gap:slack': 4, 'id:unique': 8 },
      ],
      [1, 3],
    );
    expect(merged['loss:mean']).toBeCloseTo((1 * 1 + 4 * 3) / 4);
    expect(merged['loss:sum']).toBe(7);
    expect(merged['x:min']).toBe(1);
    expect(merged['x:max']).toBe(9);
    expect(merged['gap:slack']).toBeCloseTo(4 - (1 + 12) / 4);
    expect(merged['id:unique']).toBe(7);
    expect(merged['id:unique_1']).toBe(8);
    expect(merged).not.toHaveProperty('only:sum');
  });

  it('hash_unordered ignores order; outputs concatenate in chunk order', () => {
    const a = mergeMetrics([{ 'h:hash_unordered': 3 }, { 'h:hash_unordered': 5 }], [1, 1]);
    const b = mergeMetrics([{ 'h:hash_unordered': 5 }, { 'h:hash_unordered': 3 }], [1, 1]);
    expect(a).toEqual(b);
    const out = mergeOutputs([
      { loss_fn_output_type: 't', loss_fn_outputs: [{ a: { data: [1], dtype: 'float32' } }], metrics: {} },
      { loss_fn_output_type: 't', loss_fn_outputs: [{ a: { data: [2], dtype: 'float32' } }], metrics: {} },
    ]);
    expect(out.loss_fn_outputs.map((o) => o.a.data[0])).toEqual([1, 2]);
  });
});
