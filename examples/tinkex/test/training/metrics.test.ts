import { describe, expect, it } from '@jest/globals';
import { hashUnordered, mergeMetrics, mergeOutputs } from '../../src/training/metrics.js';
import { pythonTupleHash } from '../../src/training/python-hash.js';

describe('Python hash port', () => {
  // Reference values printed by CPython 3.x: hash(()), hash((1, 2)), hash((-1,)), hash((2**61,)), ...
  it.each([
    [[], 5740354900026072187n],
    [[1n, 2n], -3550055125485641917n],
    [[-1n], 8078679518589016365n],
    [[3n, 5n], 7586885779985432798n],
    [[1n << 61n], -6644214454873602895n],
    [[-7n, 0n, (1n << 62n) + 5n], 6074765024780310141n],
  ])('hash(tuple(%p)) matches CPython', (items, expected) => {
    expect(pythonTupleHash(items as bigint[])).toBe(expected);
  });
});

describe('mergeMetrics', () => {
  const chunks: Record<string, number>[] = [
    {
      'loss:mean': 1,
      'loss:sum': 2,
      'x:min': 3,
      'x:max': 3,
      'gap:slack': 1,
      'id:unique': 7,
      'only:sum': 1,
      'new:median': 1,
    },
    {
      'loss:mean': 4,
      'loss:sum': 5,
      'x:min': 1,
      'x:max': 9,
      'gap:slack': 4,
      'id:unique': 8,
      'new:median': 2,
    },
    {
      'loss:mean': 0,
      'loss:sum': 1,
      'x:min': 2,
      'x:max': 0,
      'gap:slack': 0,
      'id:unique': 9,
      'new:median': 3,
    },
  ];
  const weights = [1, 3, 0];

  it('reduces each name:reduction key as the Python SDK does', () => {
    const m = mergeMetrics(chunks, weights);
    expect(m['loss:mean']).toBeCloseTo((1 * 1 + 4 * 3 + 0 * 0) / 4, 12);
    expect(m['loss:sum']).toBe(8);
    expect(m['x:min']).toBe(1);
    expect(m['x:max']).toBe(9);
    expect(m['gap:slack']).toBeCloseTo(4 - 13 / 4, 12);
    expect([m['id:unique'], m['id:unique_1'], m['id:unique_2']]).toEqual([7, 8, 9]);
    expect(m).not.toHaveProperty('only:sum');
    expect(m).not.toHaveProperty('new:median');
  });

  it('hash_unordered: order-insensitive, truncates to ints, equals hash(tuple(sorted(...)))', () => {
    const a = mergeMetrics([{ 'h:hash_unordered': 5.9 }, { 'h:hash_unordered': 3 }], [1, 1]);
    expect(a['h:hash_unordered']).toBe(hashUnordered([3, 5]));
    expect(a['h:hash_unordered']).toBe(Number(7586885779985432798n));
  });

  it('refuses keys without exactly one ":"', () => {
    expect(() => mergeMetrics([{ loss: 1 }], [1])).toThrow(/name:reduction/);
  });

  it('mergeOutputs concatenates outputs in chunk order and weights by output count', () => {
    const out = mergeOutputs([
      {
        loss_fn_output_type: 't',
        loss_fn_outputs: [{ a: { data: [1], dtype: 'float32' } }],
        metrics: { 'l:mean': 2 },
      },
      {
        loss_fn_output_type: 'u',
        loss_fn_outputs: [{ a: { data: [2], dtype: 'float32' } }, { a: { data: [3], dtype: 'float32' } }],
        metrics: { 'l:mean': 5 },
      },
    ]);
    expect(out.loss_fn_output_type).toBe('t');
    expect(out.loss_fn_outputs.map((o) => o.a.data[0])).toEqual([1, 2, 3]);
    expect(out.metrics['l:mean']).toBe(4);
    expect(mergeOutputs([])).toEqual({ loss_fn_output_type: '', loss_fn_outputs: [], metrics: {} });
  });
});
