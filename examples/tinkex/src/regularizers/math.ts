import { ValidationError } from 'pristine-kernel';
import type { Datum } from '../types/datum.js';
import type { Rows, Target } from './types.js';

export const zerosLike = (x: Rows): Rows => x.map((r) => new Array<number>(r.length).fill(0));
export const count = (x: Rows): number => x.reduce((n, r) => n + r.length, 0);
export const sign = (v: number): number => (v > 0 ? 1 : v < 0 ? -1 : 0);
export const scaleRows = (x: Rows, k: number): Rows => x.map((r) => r.map((v) => v * k));

/** The rows a penalty reads, and how to map a gradient on them back onto the logprobs. */
export interface Targeted {
  x: Rows;
  /** Chain rule from d/dx to d/dlogprobs. */
  back: (g: Rows) => Rows;
}

/**
 * Resolve a target: logprobs (identity), probs = exp(logprobs) (d/dlp = d/dp · p), or a constant
 * loss input of each datum (no gradient reaches the logprobs).
 */
export function target(data: readonly Datum[], logprobs: Rows, t: Target = 'logprobs'): Targeted {
  if (t === 'logprobs') return { x: logprobs, back: (g) => g };
  if (t === 'probs') {
    const p = logprobs.map((r) => r.map(Math.exp));
    return { x: p, back: (g) => g.map((r, i) => r.map((v, j) => v * p[i][j])) };
  }
  return { x: fieldRows(data, t.field, 'target'), back: () => zerosLike(logprobs) };
}

/** Each datum's `loss_fn_inputs[field]` as a row. */
export function fieldRows(data: readonly Datum[], field: string, where: string): Rows {
  return data.map((d, i) => {
    const tensor = d.loss_fn_inputs?.[field];
    if (!tensor) {
      throw ValidationError.field(
        'regularizer',
        `/data/${i}/loss_fn_inputs/${field}`,
        'required',
        `${where}: data[${i}].loss_fn_inputs.${field} is required`,
      );
    }
    return [...tensor.data];
  });
}

/** Shapes must agree row for row. */
export function sameShape(a: Rows, b: Rows, what: string): void {
  const ok = a.length === b.length && a.every((r, i) => r.length === b[i].length);
  if (!ok)
    throw ValidationError.field('regularizer', `/${what}`, 'shape', `${what} must have the logprobs' shape`);
}

export function logSumExp(row: readonly number[]): number {
  let m = -Infinity;
  for (const v of row) if (v > m) m = v;
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (const v of row) s += Math.exp(v - m);
  return m + Math.log(s);
}

export function checkOption(ok: boolean, option: string, message: string): asserts ok {
  if (!ok) throw ValidationError.field('regularizer', `/${option}`, 'option', message);
}
