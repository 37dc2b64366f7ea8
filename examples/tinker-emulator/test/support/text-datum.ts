/** UTF-8 bytes: the emulator's tokens (id = byte). */
export const bytes = (text: string) => [...Buffer.from(text, 'utf8')];

/** `text`'s bytes as a next-byte pair: the model's input (all but the last) and its targets (all but the first). */
export function nextBytes(text: string): { tokens: number[]; targets: number[] } {
  const b = bytes(text);
  return { tokens: b.slice(0, -1), targets: b.slice(1) };
}

/** A cross_entropy datum over `text` in wire form: predict each next byte. Plain data, no SDK code. */
export function textDatum(text: string) {
  const { tokens, targets } = nextBytes(text);
  return {
    model_input: { chunks: [{ tokens }] },
    loss_fn_inputs: {
      target_tokens: { data: targets, dtype: 'int64' as const, shape: [targets.length] },
      weights: { data: targets.map(() => 1), dtype: 'float32' as const, shape: [targets.length] },
    },
  };
}
