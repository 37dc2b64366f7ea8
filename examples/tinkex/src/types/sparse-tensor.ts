import { ValidationError } from 'pristine-kernel';
import { TensorDataSchema, type TensorDataWire, type TensorDtype } from './tensor-data.js';
import { checkWire } from './wire-check.js';

/** A CSR-sparse tensor as its parts: the non-zero values row by row, row offsets and column indices. */
export interface SparseCsrParts {
  dtype: TensorDtype;
  /** The dense shape: `[n]` (one row) or `[rows, cols]`. */
  shape: readonly number[];
  values: readonly number[];
  /** `rows + 1` offsets into `values`: row r holds `values[crow[r] .. crow[r+1])`. */
  crow_indices: readonly number[];
  /** The column of each value. */
  col_indices: readonly number[];
}

const WHERE = 'sparse tensor';

/**
 * A sparse loss-function input (SDK 0.18+, protobuf `Tensor.sparse_csr` in 0.25): the same wire
 * TensorData with `sparse_crow_indices` / `sparse_col_indices`, sent with int64 indices and the dense
 * `shape`. Every invariant of CSR is checked here, so the server never sees an inconsistent one.
 */
export function sparseCsrTensor(parts: SparseCsrParts): TensorDataWire {
  const { dtype, shape, values, crow_indices: crow, col_indices: cols } = parts;
  if (dtype !== 'int64' && dtype !== 'float32')
    throw ValidationError.field(WHERE, '/dtype', 'enum', 'dtype must be "int64" or "float32"');
  if (!Array.isArray(shape) || shape.length < 1 || shape.length > 2 || !shape.every(isCount))
    throw ValidationError.field(
      WHERE,
      '/shape',
      'shape',
      'shape must be [n] or [rows, cols] of integers ≥ 0',
    );
  const rows = shape.length === 1 ? 1 : shape[0];
  const width = shape.length === 1 ? shape[0] : shape[1];
  if (!Array.isArray(crow) || crow.length !== rows + 1 || crow[0] !== 0)
    throw ValidationError.field(
      WHERE,
      '/crow_indices',
      'csr',
      `crow_indices must have rows + 1 = ${rows + 1} entries starting at 0`,
    );
  for (let r = 0; r < rows; r++) {
    if (!isCount(crow[r + 1]) || crow[r + 1] < crow[r])
      throw ValidationError.field(
        WHERE,
        `/crow_indices/${r + 1}`,
        'csr',
        'crow_indices must be non-decreasing integers',
      );
  }
  if (!Array.isArray(values) || crow[rows] !== values.length)
    throw ValidationError.field(
      WHERE,
      '/values',
      'csr',
      `the last crow index (${crow[rows]}) must equal the number of values`,
    );
  if (!Array.isArray(cols) || cols.length !== values.length)
    throw ValidationError.field(WHERE, '/col_indices', 'csr', 'col_indices must have one entry per value');
  cols.forEach((c, i) => {
    if (!isCount(c) || c >= width)
      throw ValidationError.field(
        WHERE,
        `/col_indices/${i}`,
        'csr',
        `column indices are integers in [0, ${width})`,
      );
  });
  values.forEach((v, i) => {
    const ok = dtype === 'int64' ? Number.isSafeInteger(v) : Number.isFinite(v);
    if (!ok)
      throw ValidationError.field(
        WHERE,
        `/values/${i}`,
        dtype === 'int64' ? 'integer' : 'finite',
        `values must be ${dtype === 'int64' ? 'safe integers' : 'finite numbers'}`,
      );
  });
  const wire: TensorDataWire = {
    data: [...values],
    dtype,
    shape: [...shape],
    sparse_crow_indices: [...crow],
    sparse_col_indices: [...cols],
  };
  checkWire(TensorDataSchema, wire, WHERE);
  return wire;
}

/** CSR parts of a dense matrix (`[n]` is one row): only its non-zero entries. */
export function toSparseCsr(
  dense: readonly number[] | readonly (readonly number[])[],
  dtype: TensorDtype,
): TensorDataWire {
  const matrix = (isRow(dense) ? [dense] : dense) as readonly (readonly number[])[];
  const width = matrix[0]?.length ?? 0;
  if (!matrix.every((row) => Array.isArray(row) && row.length === width))
    throw ValidationError.field(WHERE, '/', 'shape', 'rows must all have the same length');
  const values: number[] = [];
  const cols: number[] = [];
  const crow = [0];
  for (const row of matrix) {
    row.forEach((v, c) => {
      if (v !== 0) {
        values.push(v);
        cols.push(c);
      }
    });
    crow.push(values.length);
  }
  const shape = isRow(dense) ? [width] : [matrix.length, width];
  return sparseCsrTensor({ dtype, shape, values, crow_indices: crow, col_indices: cols });
}

/**
 * The Python SDK's choice (`TensorData.from_torch_sparse`): CSR when it is smaller than the dense
 * tensor, i.e. `(rows + 1) + 2·nnz < rows·cols`; otherwise the dense wire form.
 */
export function sparsifyIfSmaller(
  matrix: readonly (readonly number[])[],
  dtype: TensorDtype,
): TensorDataWire {
  const rows = matrix.length;
  const width = matrix[0]?.length ?? 0;
  if (!matrix.every((row) => Array.isArray(row) && row.length === width))
    throw ValidationError.field(WHERE, '/', 'shape', 'rows must all have the same length');
  const nnz = matrix.reduce((n, row) => n + row.filter((v) => v !== 0).length, 0);
  if (rows + 1 + 2 * nnz < rows * width) return toSparseCsr(matrix, dtype);
  const wire: TensorDataWire = { data: matrix.flat(), dtype, shape: [rows, width] };
  checkWire(TensorDataSchema, wire, WHERE);
  return wire;
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isRow(value: readonly unknown[]): value is readonly number[] {
  return value.length === 0 || typeof value[0] === 'number';
}
