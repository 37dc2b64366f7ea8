/** UTF-8 bytes: the emulator's tokens (id = byte). */
export const bytes = (text: string) => [...Buffer.from(text, 'utf8')];

/** A cross_entropy datum over `text` in wire form: predict each next byte. Plain data, no SDK code. */
export function textDatum(text: string) {
  const b = bytes(text);
  const tokens = b.slice(0, -1);
  const targets = b.slice(1);
  return {
    model_input: { chunks: [{ tokens }] },
    loss_fn_inputs: {
      target_tokens: { data: targets, dtype: 'int64' as const, shape: [targets.length] },
      weights: { data: targets.map(() => 1), dtype: 'float32' as const, shape: [targets.length] },
    },
  };
}
