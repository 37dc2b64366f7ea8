import type { Datum } from '../types/datum.js';
import { checkOption, fieldRows, sameShape } from './math.js';
import type { Regularizer, Rows } from './types.js';

export interface KLOptions {
  /** Reference logprobs Q: given rows, a datum input name, or a function of the batch. */
  reference?: Rows;
  referenceField?: string;
  computeReference?: (data: readonly Datum[]) => Rows;
  reduction?: 'mean' | 'sum';
  /** forward KL(P‖Q) with P = logprobs, or reverse KL(Q‖P). */
  direction?: 'forward' | 'reverse';
  /** (KL(P‖Q) + KL(Q‖P)) / 2. */
  symmetric?: boolean;
}

const CLIP = 100;
const TINY = 1e-10;

/** Row KL(A‖B) = Σ a·clip(lA − lB, ±100) (terms with a ≤ 1e−10 dropped), with ∂/∂lA and ∂/∂lB. */
function rowKl(la: readonly number[], lb: readonly number[]) {
  let kl = 0;
  const dA = new Array<number>(la.length).fill(0);
  const dB = new Array<number>(la.length).fill(0);
  for (let k = 0; k < la.length; k++) {
    const a = Math.exp(la[k]);
    if (a <= TINY) continue;
    const diff = la[k] - lb[k];
    const d = Math.max(-CLIP, Math.min(CLIP, diff));
    const inside = Math.abs(diff) < CLIP ? 1 : 0;
    kl += a * d;
    dA[k] = a * d + a * inside;
    dB[k] = -a * inside;
  }
  return { kl, dA, dB };
}

/** `kl_divergence` between the logprobs and a reference, per row, reduced over rows. */
export function klDivergence(options: KLOptions): Regularizer {
  const { reduction = 'mean', direction = 'forward', symmetric = false } = options;
  const { reference, referenceField, computeReference } = options;
  const referenceOf: ((data: readonly Datum[]) => Rows) | undefined = reference
    ? () => reference
    : referenceField
      ? (data) => fieldRows(data, referenceField, 'kl_divergence')
      : computeReference;
  checkOption(referenceOf !== undefined, 'reference', 'give reference, referenceField or computeReference');
  return (data, logprobs) => {
    const q = referenceOf(data);
    sameShape(logprobs, q, 'reference');
    const k = reduction === 'mean' ? 1 / Math.max(logprobs.length, 1) : 1;
    const perRow: number[] = [];
    const grad = logprobs.map((p, i) => {
      const fwd = rowKl(p, q[i]);
      const rev = rowKl(q[i], p);
      if (symmetric) {
        perRow.push((fwd.kl + rev.kl) / 2);
        return p.map((_, j) => (k * (fwd.dA[j] + rev.dB[j])) / 2);
      }
      if (direction === 'reverse') {
        perRow.push(rev.kl);
        return rev.dB.map((v) => k * v);
      }
      perRow.push(fwd.kl);
      return fwd.dA.map((v) => k * v);
    });
    const total = perRow.reduce((s, v) => s + v, 0) * k;
    return {
      value: total,
      grad,
      metrics: {
        kl_divergence: total,
        kl_max: perRow.length ? Math.max(...perRow) : 0,
        kl_min: perRow.length ? Math.min(...perRow) : 0,
      },
    };
  };
}
