import { describe, expect, it } from '@jest/globals';
import {
  dmelChunk,
  ModelInput,
  sparseCsrTensor,
  sparsifyIfSmaller,
  tensorContainerShape,
  toSparseCsr,
  ValidationError,
} from '../../src/index.js';

/** The issue list of a ValidationError thrown by `fn`, as `pointer rule` strings. */
function issues(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map((i) => `${i.pointer} ${i.rule}`);
    throw error;
  }
  throw new Error('did not throw');
}

describe('sparse CSR tensors', () => {
  it('toSparseCsr keeps the non-zeros row by row with int64-ready indices and the dense shape', () => {
    expect(
      toSparseCsr(
        [
          [0, 2, 0],
          [1, 0, 3],
        ],
        'float32',
      ),
    ).toEqual({
      data: [2, 1, 3],
      dtype: 'float32',
      shape: [2, 3],
      sparse_crow_indices: [0, 1, 3],
      sparse_col_indices: [1, 0, 2],
    });
    expect(toSparseCsr([0, 0, 5], 'int64')).toMatchObject({ shape: [3], sparse_crow_indices: [0, 1] });
  });

  it('refuses every broken CSR invariant, naming the field', () => {
    const ok = {
      dtype: 'float32' as const,
      shape: [2, 3],
      values: [1, 2],
      crow_indices: [0, 1, 2],
      col_indices: [0, 2],
    };
    expect(sparseCsrTensor(ok).sparse_col_indices).toEqual([0, 2]);
    expect(issues(() => sparseCsrTensor({ ...ok, crow_indices: [0, 2] }))).toEqual(['/crow_indices csr']);
    expect(issues(() => sparseCsrTensor({ ...ok, crow_indices: [0, 2, 1] }))).toEqual([
      '/crow_indices/2 csr',
    ]);
    expect(issues(() => sparseCsrTensor({ ...ok, crow_indices: [0, 1, 3] }))).toEqual(['/values csr']);
    expect(issues(() => sparseCsrTensor({ ...ok, col_indices: [0, 3] }))).toEqual(['/col_indices/1 csr']);
    expect(issues(() => sparseCsrTensor({ ...ok, col_indices: [0] }))).toEqual(['/col_indices csr']);
    expect(issues(() => sparseCsrTensor({ ...ok, shape: [1, 2, 3] }))).toEqual(['/shape shape']);
    expect(issues(() => sparseCsrTensor({ ...ok, dtype: 'int64', values: [1, 0.5] }))).toEqual([
      '/values/1 integer',
    ]);
    expect(issues(() => sparseCsrTensor({ ...ok, values: [1, Number.NaN] }))).toEqual(['/values/1 finite']);
  });

  it('sparsifyIfSmaller picks CSR only when (rows + 1) + 2·nnz < rows·cols, as the Python SDK does', () => {
    // 2 rows × 4: 3 + 2·2 = 7 < 8 → sparse; 3 + 2·3 = 9 ≥ 8 → dense.
    expect(
      sparsifyIfSmaller(
        [
          [0, 1, 0, 0],
          [0, 0, 0, 1],
        ],
        'float32',
      ).sparse_crow_indices,
    ).toEqual([0, 1, 2]);
    const dense = sparsifyIfSmaller(
      [
        [0, 1, 0, 1],
        [0, 0, 0, 1],
      ],
      'float32',
    );
    expect(dense).toEqual({ data: [0, 1, 0, 1, 0, 0, 0, 1], dtype: 'float32', shape: [2, 4] });
    expect(issues(() => sparsifyIfSmaller([[1, 2], [3]], 'float32'))).toEqual(['/ shape']);
  });
});

describe('dmel chunks', () => {
  it('reads the TensorContainer header as the Python SDK does: marker, dtype byte, varint rank and dims', () => {
    expect(tensorContainerShape(Uint8Array.from([1, 2, 3, 80]))).toEqual([3, 80]);
    // Constant-tensor marker, then a 2-byte varint dim (300 = 0xac 0x02).
    expect(tensorContainerShape(Uint8Array.from([254, 0, 1, 0xac, 0x02]))).toEqual([300]);
  });

  it('builds the wire chunk from bytes or base64 and counts its first dimension as its length', () => {
    const bytes = Uint8Array.from([1, 1, 7, 42]);
    const chunk = dmelChunk(bytes);
    expect(chunk).toEqual({ dmel: Buffer.from(bytes).toString('base64'), type: 'dmel' });
    expect(dmelChunk(chunk.dmel)).toEqual(chunk);
    expect(ModelInput.fromInts([1, 2]).append(chunk).length).toBe(9);
  });

  it('refuses empty, truncated and foreign buffers before anything is sent', () => {
    expect(issues(() => dmelChunk(new Uint8Array()))).toEqual(['/dmel tensor-container']);
    expect(issues(() => dmelChunk(Uint8Array.from([9, 1, 3])))).toEqual(['/dmel tensor-container']);
    expect(issues(() => dmelChunk(Uint8Array.from([1, 2, 3])))).toEqual(['/dmel tensor-container']);
    expect(issues(() => dmelChunk(Uint8Array.from([254])))).toEqual(['/dmel tensor-container']);
    expect(issues(() => dmelChunk('not base64!'))).toEqual(['/dmel contentEncoding']);
  });
});
