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
