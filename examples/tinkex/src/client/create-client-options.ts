import { optionNames } from 'pristine-kernel';
import type { SamplingRetryConfig } from './sampling-retry-config.js';

/**
 * The options of ServiceClient's create methods, each with the set of its names: a key not in the set
 * is refused by name (`OptionChecks.optionsObject`), and `optionNames` makes the compiler keep each set
 * equal to its type's keys.
 */

/** Options of `createTrainingClientFromState` and `…WithOptimizer`. */
export interface FromStateOptions {
  /** The base model, when not the checkpoint's own (read from `weights_info`). */
  base_model?: string;
  /** Free-form string labels stored with the new training run. */
  user_metadata?: Record<string, string>;
  /**
   * A credential of the account that owns the checkpoint (another account's): `weights_info` is asked
   * with it, and it is sent in `load_weights`; never logged.
   */
  weights_access_token?: string;
}

/** Options of `createLoraTrainingClient`; at least one of the `train_*` switches must be true. */
export interface LoraTrainingOptions {
  /** The model to train an adapter on (see `getServerCapabilities` for the names). */
  base_model: string;
  /** The LoRA rank (default 32). */
  rank?: number;
  /** Seed of the adapter's initial weights (default: the server picks). */
  seed?: number | null;
  /** Put LoRA on the MLP layers (default true). */
  train_mlp?: boolean;
  /** Put LoRA on the attention layers (default true). */
  train_attn?: boolean;
  /** Put LoRA on the unembedding layer (default true). */
  train_unembed?: boolean;
  /** Free-form string labels stored with the training run. */
  user_metadata?: Record<string, string> | null;
}

/** Options of `createSamplingClient`: exactly one of `model_path` and `base_model`. */
export interface SamplingClientOptions {
  /** Saved sampler weights, a `tinker://<run>/sampler_weights/<name>` path. */
  model_path?: string;
  /** A base model, sampled without an adapter. */
  base_model?: string;
  /** How this client's samples are retried and throttled (merged over DEFAULT_SAMPLING_RETRY). */
  retry_config?: Partial<SamplingRetryConfig>;
}

export const LORA_OPTIONS = {
  names: optionNames<LoraTrainingOptions>({
    base_model: true,
    rank: true,
    seed: true,
    train_mlp: true,
    train_attn: true,
    train_unembed: true,
    user_metadata: true,
  }),
  what: 'a createLoraTrainingClient option',
};
export const FROM_STATE_OPTIONS = {
  names: optionNames<FromStateOptions>({ base_model: true, user_metadata: true, weights_access_token: true }),
  what: 'a training client option',
};
export const SAMPLING_CLIENT_OPTIONS = {
  names: optionNames<SamplingClientOptions>({ model_path: true, base_model: true, retry_config: true }),
  what: 'a createSamplingClient option',
};
