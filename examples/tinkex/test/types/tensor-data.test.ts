import { describe, expect, it } from '@jest/globals';
import { ValidationError } from 'pristine-kernel';
import { TensorData } from '../../src/types/tensor-data.js';

const issue = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues[0];
  }
  throw new Error('expected a ValidationError');
};

describe('TensorData', () => {
  it('infers dtypes from typed arrays and keeps shape', () => {
    expect(TensorData.fromArray(new Float32Array([1.5, 2])).dtype).toBe('float32');
    expect(TensorData.fromArray(new Int32Array([1, 2])).dtype).toBe('int64');
    const big = TensorData.fromTypedArray(new BigInt64Array([3n, 4n, 5n, 6n]), [2, 2]);
    expect(big.toJSON()).toEqual({ data: [3, 4, 5, 6], dtype: 'int64', shape: [2, 2] });
    expect(Array.from(big.toTypedArray() as BigInt64Array)).toEqual([3n, 4n, 5n, 6n]);
    expect(
      TensorData.fromArray(
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        'float32',
      ).shape,
    ).toEqual([2, 3]);
  });

  it('takes a Float64Array as float32 and keeps int64 values exact beyond float32 precision', () => {
    expect(TensorData.fromArray(new Float64Array([0.5, 2])).toJSON()).toEqual({
      data: [0.5, 2],
      dtype: 'float32',
      shape: [2],
    });
    // 2^24 + 1 is the first integer a float32 cannot hold; token ids and indices go far past it.
    const ids = [16_777_217, 2 ** 31 - 1, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
    expect(TensorData.fromArray(ids, 'int64').toArray()).toEqual(ids);
    expect(TensorData.fromWire({ data: ids, dtype: 'int64' }).toArray()).toEqual(ids);
    const typed = TensorData.fromArray(new Int32Array([16_777_217]), 'int64').toTypedArray();
    expect(Array.from(typed as BigInt64Array)).toEqual([16_777_217n]);
  });

  it('takes bigints up to ±(2^53 − 1) exactly and refuses the next ones by index', () => {
    const max = BigInt(Number.MAX_SAFE_INTEGER);
    expect(TensorData.fromArray([max, -max]).toArray()).toEqual([
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
    ]);
    expect(issue(() => TensorData.fromArray([1n, max + 1n]))).toMatchObject({
      pointer: '/data/1',
      rule: 'type',
    });
    expect(issue(() => TensorData.fromArray([1n, -max - 1n]))).toMatchObject({
      pointer: '/data/1',
      rule: 'type',
    });
    // The same bounds for numbers in an int64 tensor: 2^53 and -2^53 are the first unsafe integers.
    expect(issue(() => TensorData.fromArray([0, 2 ** 53], 'int64'))).toMatchObject({
      pointer: '/data/1',
      rule: 'integer',
    });
    expect(issue(() => TensorData.fromArray([0, -(2 ** 53)], 'int64'))).toMatchObject({
      pointer: '/data/1',
      rule: 'integer',
    });
    expect(issue(() => TensorData.fromArray(new BigInt64Array([-(max + 1n)])))).toMatchObject({
      pointer: '/data/0',
      rule: 'type',
    });
  });

  it('narrows bigints given as float32 to float32 values', () => {
    const t = TensorData.fromArray([16_777_217n, 1n], 'float32');
    expect(t.toArray()).toEqual([16_777_216, 1]);
    expect(t.toTypedArray()).toBeInstanceOf(Float32Array);
  });

  it('refuses ragged nesting at the row that breaks it, even when the value count fits the shape', () => {
    // 6 values, as a 3×2 tensor would hold: only the row lengths tell it is not one.
    expect(issue(() => TensorData.fromArray([[1, 2], [3], [4, 5, 6]], 'float32'))).toMatchObject({
      pointer: '/data/1',
      rule: 'shape',
    });
    expect(
      issue(() =>
        TensorData.fromArray(
          [
            [1, 2],
            [3, [4] as never],
          ],
          'float32',
        ),
      ),
    ).toMatchObject({
      pointer: '/data/1/1',
      rule: 'shape',
    });
  });

  it('takes an explicit shape over the nesting, and the flat length when the wire form has none', () => {
    const nested = [
      [1, 2],
      [3, 4],
    ];
    expect(TensorData.fromArray(nested, 'float32', [4]).shape).toEqual([4]);
    expect(TensorData.fromWire({ data: [1, 2, 3], dtype: 'float32' }).shape).toEqual([3]);
    expect(TensorData.fromWire({ data: [1, 2, 3], dtype: 'float32', shape: null }).toJSON().shape).toEqual([
      3,
    ]);
  });

  it('gives a wire form whose shape is its own: editing it leaves the tensor as it was', () => {
    const t = TensorData.fromArray([1, 2], 'int64', [2]);
    (t.toJSON().shape as number[]).push(1);
    expect(t.shape).toEqual([2]);
  });

  it('checks a wire tensor: its values, and its shape only when it is dense', () => {
    expect(issue(() => TensorData.check({ data: [1, Number.NaN], dtype: 'float32' }, '/x'))).toMatchObject({
      pointer: '/x/data/1',
      rule: 'finite',
    });
    // CSR: two non-zero values of a 2×3 tensor.
    const sparse = {
      data: [0.5, -0.5],
      dtype: 'float32',
      shape: [2, 3],
      sparse_crow_indices: [0, 1, 2],
      sparse_col_indices: [0, 2],
    };
    expect(() => TensorData.check(sparse, '/x')).not.toThrow();
  });

  it('stores float32 values as float32 (what numpy.tolist() of a float32 array sends)', () => {
    const t = TensorData.fromArray([0.1], 'float32');
    expect(t.toJSON().data[0]).toBe(Math.fround(0.1));
    expect(JSON.stringify(t)).toBe('{"data":[0.10000000149011612],"dtype":"float32","shape":[1]}');
  });

  it('rejects a wrong dtype, non-integers in int64, non-finite values and shape mismatches', () => {
    expect(issue(() => TensorData.fromArray([1], 'float64' as never))).toMatchObject({
      pointer: '/dtype',
      rule: 'enum',
    });
    expect(issue(() => TensorData.fromArray([1, 2.5], 'int64'))).toMatchObject({
      pointer: '/data/1',
      rule: 'integer',
    });
    expect(issue(() => TensorData.fromArray(new Float32Array([1, NaN])))).toMatchObject({
      pointer: '/data/1',
      rule: 'finite',
    });
    expect(issue(() => TensorData.fromArray([1, 2, 3], 'float32', [2, 2]))).toMatchObject({
      pointer: '/shape',
      rule: 'shape',
    });
    expect(issue(() => TensorData.fromArray([1, '2' as never], 'float32'))).toMatchObject({
      pointer: '/data/1',
      rule: 'type',
    });
    expect(issue(() => TensorData.fromArray([[1, 2], [3]], 'float32'))).toMatchObject({ rule: 'shape' });
    expect(issue(() => TensorData.fromArray([1, 2]))).toMatchObject({ rule: 'required' });
    expect(issue(() => TensorData.check({ data: [1, 2], dtype: 'int64', shape: [3] }, '/x'))).toMatchObject({
      pointer: '/x/shape',
    });
  });

  // Exactness only: its speed against the naive path is measured by `npm run bench` (tensor_data),
  // never asserted here, since timings depend on the machine and on suites running alongside.
  it('round-trips 1M float32 values through wire JSON exactly', () => {
    const n = 1_000_000;
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = Math.sin(i) * 100;
    const wire = JSON.parse(JSON.stringify(TensorData.fromArray(values)));
    expect(wire.dtype).toBe('float32');
    const back = TensorData.fromWire(wire).toTypedArray() as Float32Array;
    expect(back).toBeInstanceOf(Float32Array);
    expect(back).toEqual(values);
  });
});
