import { HttpError } from '../http-util.js';

const bad = (field: string, problem: string) => new HttpError(400, `${field} ${problem}`, field);

/** CSR to dense, row-major; `shape` is the dense shape ([rows, cols], or [n] for one row). */
export function densify(
  values: number[],
  crow: number[],
  cols: number[],
  shape: number[],
  field: string,
): number[] {
  if (shape.length === 0) throw bad(`${field}`, 'needs the dense shape');
  const rows = shape.length === 1 ? 1 : shape[0];
  const width = shape.length === 1 ? shape[0] : shape.slice(1).reduce((a, b) => a * b, 1);
  if (
    crow.length !== rows + 1 ||
    crow[0] !== 0 ||
    crow[rows] !== values.length ||
    cols.length !== values.length
  )
    throw bad(field, 'indices do not describe the values (crow_indices: rows + 1 entries from 0 to nnz)');
  const dense = new Array<number>(rows * width).fill(0);
  for (let r = 0; r < rows; r++) {
    for (let i = crow[r]; i < crow[r + 1]; i++) {
      if (!(cols[i] >= 0 && cols[i] < width))
        throw bad(`${field}.col_indices`, `has ${cols[i]} outside 0..${width - 1}`);
      dense[r * width + cols[i]] = values[i];
    }
  }
  return dense;
}
