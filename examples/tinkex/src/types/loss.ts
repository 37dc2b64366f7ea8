import { Type, type Static } from 'pristine-kernel';

/** The server-side losses (unchanged from SDK 0.7.0 to 0.25.0). */
export const LOSS_FN_TYPES = ['cross_entropy', 'importance_sampling', 'ppo', 'cispo', 'dro'] as const;

export const LossFnSchema = Type.Union(LOSS_FN_TYPES.map((name) => Type.Literal(name)));
export type LossFnType = (typeof LOSS_FN_TYPES)[number];

/** Loss settings such as PPO clip thresholds or the DRO beta: numbers by name. */
export const LossFnConfigSchema = Type.Record(Type.String(), Type.Number());
export type LossFnConfig = Static<typeof LossFnConfigSchema>;

/**
 * The `loss_fn_inputs` each loss reads besides the model input. Checked client-side so a bad batch
 * fails before it is sent, with the datum and key named.
 */
export const LOSS_FN_REQUIRED_INPUTS: Readonly<Record<LossFnType, readonly string[]>> = {
  cross_entropy: ['target_tokens'],
  importance_sampling: ['target_tokens', 'logprobs', 'advantages'],
  ppo: ['target_tokens', 'logprobs', 'advantages'],
  cispo: ['target_tokens', 'logprobs', 'advantages'],
  dro: ['target_tokens', 'logprobs', 'advantages'],
};

/**
 * The dtype the Python SDK gives a plain list under each well-known key (`Datum._key_to_type`).
 * Other keys need a TensorData or typed array.
 */
export const LOSS_INPUT_DTYPES: Readonly<Record<string, 'int64' | 'float32'>> = {
  target_tokens: 'int64',
  weights: 'float32',
  advantages: 'float32',
  logprobs: 'float32',
  clip_low_threshold: 'float32',
  clip_high_threshold: 'float32',
};

/**
 * Every `loss_fn_inputs` key a built-in loss reads: the keys the Python SDK knows (`Datum._key_to_type`).
 * The Tinker docs list no other input for any built-in loss; `forward*` refuses any other key.
 */
export const LOSS_INPUT_KEYS: readonly string[] = Object.keys(LOSS_INPUT_DTYPES);

export function isLossFnType(value: unknown): value is LossFnType {
  return typeof value === 'string' && (LOSS_FN_TYPES as readonly string[]).includes(value);
}
