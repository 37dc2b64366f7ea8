import { Type, describeValue, ValidationError, type Static } from 'pristine-kernel';
import { maybe, strict } from './common.js';
import { checkWire, isRecord } from './wire-check.js';

/** LoRA settings for `create_model`. 0.7.0 sends all five fields, `seed` as null when unset. */
export const LoraConfigSchema = Type.Object(
  {
    rank: Type.Integer({ minimum: 1 }),
    seed: maybe(Type.Integer()),
    train_unembed: Type.Optional(Type.Boolean()),
    train_mlp: Type.Optional(Type.Boolean()),
    train_attn: Type.Optional(Type.Boolean()),
  },
  strict,
);
export type LoraConfig = Static<typeof LoraConfigSchema>;

export interface LoraOptions {
  rank?: number;
  seed?: number | null;
  train_mlp?: boolean;
  train_attn?: boolean;
  train_unembed?: boolean;
}

/**
 * The LoRA config `create_lora_training_client` builds: rank 32 and all three `train_*` flags true by
 * default, `seed` null unless given, keys in the Python model's order. At least one layer group must be
 * trained (the Python SDK asserts it).
 */
export function loraConfig(options: LoraOptions = {}): LoraConfig {
  if (!isRecord(options as unknown)) {
    throw ValidationError.field('lora config', '/', 'type', 'lora options must be an object');
  }
  const { rank = 32, seed = null, train_mlp = true, train_attn = true, train_unembed = true } = options;
  if (!Number.isInteger(rank) || rank < 1)
    throw ValidationError.field(
      'lora config',
      '/rank',
      'minimum',
      `rank must be a positive integer, got ${describeValue(rank)}`,
    );
  if (seed !== null && !Number.isInteger(seed))
    throw ValidationError.field(
      'lora config',
      '/seed',
      'integer',
      `seed must be an integer, got ${describeValue(seed)}`,
    );
  if (!train_mlp && !train_attn && !train_unembed) {
    throw ValidationError.field(
      'lora config',
      '/train_mlp',
      'anyOf',
      'At least one of train_mlp, train_attn, or train_unembed must be true',
    );
  }
  const config = { rank, seed, train_unembed, train_mlp, train_attn };
  checkWire(LoraConfigSchema, config, 'lora config');
  return config;
}
