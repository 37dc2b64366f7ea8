import { OptionChecks, ValidationError } from 'pristine-kernel';
import type { LoraConfig } from '../types/schemas.js';
import { parseTinkerPath } from '../types/tinker-path.js';
import {
  LORA_OPTIONS,
  SAMPLING_CLIENT_OPTIONS,
  type LoraTrainingOptions,
  type SamplingClientOptions,
} from './create-client-options.js';
import { checkSamplingRetryConfig } from './sampling-retry-config.js';

/**
 * What ServiceClient's create requests send, from the caller's options, checked: a wrong option is a
 * ValidationError naming it, thrown before any session is opened for a request that could not be sent.
 * The session's own fields (`session_id`, the sequence ids) are the caller's to add.
 */

/** `create_model`'s body for a new LoRA (the options' defaults filled in). */
export function loraModelBody(options: LoraTrainingOptions) {
  const checked = OptionChecks.optionsObject(
    'createLoraTrainingClient options',
    options as LoraTrainingOptions | undefined,
    LORA_OPTIONS,
  );
  const {
    base_model,
    rank = 32,
    seed = null,
    train_mlp = true,
    train_attn = true,
    train_unembed = true,
  } = checked;
  if (!train_mlp && !train_attn && !train_unembed) {
    throw new ValidationError('createLoraTrainingClient options', [
      {
        pointer: '/train_mlp',
        rule: 'anyOf',
        message: 'at least one of train_mlp, train_attn, train_unembed must be true',
      },
    ]);
  }
  const lora_config: LoraConfig = { rank, seed, train_unembed, train_mlp, train_attn };
  return { base_model, user_metadata: checked.user_metadata ?? null, lora_config };
}

/** `create_sampling_session`'s body (exactly one of `model_path` and `base_model`), and the checked options. */
export function samplingSessionBody(options: SamplingClientOptions) {
  const checked = OptionChecks.optionsObject(
    'createSamplingClient options',
    options,
    SAMPLING_CLIENT_OPTIONS,
  );
  if (!checked.model_path === !checked.base_model) {
    throw ValidationError.field(
      'createSamplingClient options',
      '/model_path',
      'oneOf',
      'pass exactly one of model_path or base_model',
    );
  }
  if (checked.model_path) parseTinkerPath(checked.model_path);
  checkSamplingRetryConfig(checked.retry_config);
  const body = { base_model: checked.base_model ?? null, model_path: checked.model_path ?? null };
  return { body, options: checked };
}
