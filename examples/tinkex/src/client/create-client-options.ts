import { optionNames } from 'pristine-kernel';
import type { SamplingRetryConfig } from './sampling-retry-config.js';

/**
 * The options of ServiceClient's create methods, each with the set of its names: a key not in the set
 * is refused by name (`OptionChecks.optionsObject`), and `optionNames` makes the compiler keep each set
 * equal to its type's keys.
 */

export interface FromStateOptions {
  base_model?: string;
  user_metadata?: Record<string, string>;
  /**
   * A credential of the account that owns the checkpoint (another account's): `weights_info` is asked
   * with it, and it is sent in `load_weights`; never logged.
   */
  weights_access_token?: string;
}

export interface LoraTrainingOptions {
  base_model: string;
  rank?: number;
  seed?: number | null;
  train_mlp?: boolean;
  train_attn?: boolean;
  train_unembed?: boolean;
  user_metadata?: Record<string, string> | null;
}

export interface SamplingClientOptions {
  model_path?: string;
  base_model?: string;
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
