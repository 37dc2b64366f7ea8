import { ValidationError } from 'pristine-kernel';
import { checkOption } from './math.js';
import type { Regularizer, Rows } from './types.js';

export interface OrthogonalityOptions {
  /** soft Σ_{i≠j} G_ij²; hard Σ (G − I)²; spectral (tr G − n)² + Σ_{i≠j} G_ij². */
  mode?: 'soft' | 'hard' | 'spectral';
  /** L2-normalize rows first (norm floor 1e−8). */
  normalize?: boolean;
  /** Penalize the rows (datums) or the columns (positions) of the logprob matrix. */
  axis?: 'rows' | 'columns';
}

const transpose = (m: Rows): Rows => (m.length === 0 ? [] : m[0].map((_, j) => m.map((r) => r[j])));

/**
 * `orthogonality` on the Gram matrix G = M̂M̂ᵀ of the (normalized) rows. With L = Σ w_ij·f(G_ij) and
 * A = ∂L/∂G (symmetric), ∂L/∂M̂ = 2AM̂, then back through the row normalization.
 */
export function orthogonality(options: OrthogonalityOptions = {}): Regularizer {
  const { mode = 'soft', normalize = true, axis = 'rows' } = options;
  checkOption(['soft', 'hard', 'spectral'].includes(mode), 'mode', 'mode is soft, hard or spectral');
  return (_data, logprobs) => {
    if (logprobs.some((r) => r.length !== logprobs[0].length)) {
      throw ValidationError.field(
        'regularizer',
        '/logprobs',
        'shape',
        'orthogonality needs rows of equal length',
      );
    }
    const m = axis === 'rows' ? logprobs : transpose(logprobs);
    const norms = m.map((r) => Math.max(Math.sqrt(r.reduce((s, v) => s + v * v, 0)), 1e-8));
    const mh = normalize ? m.map((r, i) => r.map((v) => v / norms[i])) : m;
    const n = mh.length;
    const g = mh.map((a) => mh.map((b) => a.reduce((s, v, k) => s + v * b[k], 0)));
    let value = 0;
    let trace = 0;
    for (let i = 0; i < n; i++) trace += g[i][i];
    const A = g.map((row, i) =>
      row.map((gij, j) => {
        if (i !== j) {
          value += gij * gij;
          return 2 * gij;
        }
        if (mode === 'hard') {
          value += (gij - 1) * (gij - 1);
          return 2 * (gij - 1);
        }
        return mode === 'spectral' ? 2 * (trace - n) : 0;
      }),
    );
    if (mode === 'spectral') value += (trace - n) * (trace - n);
    // ∂L/∂M̂ = 2·A·M̂
    const dmh = mh.map((_, i) => mh[0].map((_, k) => 2 * A[i].reduce((s, a, j) => s + a * mh[j][k], 0)));
    const dm = normalize
      ? dmh.map((gr, i) => {
          const raw = Math.sqrt(m[i].reduce((s, v) => s + v * v, 0));
          if (raw <= 1e-8) return gr.map((v) => v / 1e-8);
          const proj = gr.reduce((s, v, k) => s + v * mh[i][k], 0);
          return gr.map((v, k) => (v - mh[i][k] * proj) / raw);
        })
      : dmh;
    return { value, grad: axis === 'rows' ? dm : transpose(dm), metrics: { orthogonality: value } };
  };
}
