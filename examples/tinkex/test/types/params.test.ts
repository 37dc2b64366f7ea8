import { describe, expect, it } from '@jest/globals';
import { ValidationError } from 'pristine-kernel';
import { Value } from '@sinclair/typebox/value';
import { ADAM_DEFAULTS, AdamParamsSchema, adamParams } from '../../src/types/adam-params.js';
import { loraConfig } from '../../src/types/lora-config.js';
import { samplingParams } from '../../src/types/sampling-params.js';
import { parseTinkerPath } from '../../src/types/tinker-path.js';

describe('parameter builders', () => {
  it('AdamParams: Python defaults, overrides validated by field', () => {
    expect(adamParams()).toEqual({
      learning_rate: 1e-4,
      beta1: 0.9,
      beta2: 0.95,
      eps: 1e-12,
      weight_decay: 0,
      grad_clip_norm: 0,
    });
    expect(adamParams({ learning_rate: 0.01 }).learning_rate).toBe(0.01);
    expect(() => adamParams({ beta1: 1 })).toThrow(/beta1/);
    expect(() => adamParams({ eps: 0 })).toThrow(ValidationError);
    expect(ADAM_DEFAULTS.beta2).toBe(0.95);
  });

  it('LoraConfig: rank 32 and all layers by default, seed null, one layer group required', () => {
    expect(JSON.stringify(loraConfig({ rank: 8 }))).toBe(
      '{"rank":8,"seed":null,"train_unembed":true,"train_mlp":true,"train_attn":true}',
    );
    expect(loraConfig().rank).toBe(32);
    expect(() => loraConfig({ train_mlp: false, train_attn: false, train_unembed: false })).toThrow(
      /At least one/,
    );
  });

  it('SamplingParams: only given fields, ranges checked', () => {
    expect(samplingParams({ max_tokens: 8, seed: 1234, temperature: 0.7 })).toEqual({
      max_tokens: 8,
      seed: 1234,
      temperature: 0.7,
    });
    expect(() => samplingParams({ top_p: 1.5 })).toThrow(/top_p/);
    expect(() => samplingParams({ top_k: -2 })).toThrow(/top_k/);
  });
});

describe('parseTinkerPath', () => {
  it('parses training and sampler paths with raw ids containing ":"', () => {
    expect(parseTinkerPath('tinker://S:train:0/weights/my-ckpt')).toEqual({
      tinker_path: 'tinker://S:train:0/weights/my-ckpt',
      training_run_id: 'S:train:0',
      checkpoint_type: 'training',
      checkpoint_id: 'weights/my-ckpt',
    });
    expect(parseTinkerPath('tinker://r/sampler_weights/s').checkpoint_type).toBe('sampler');
  });

  it.each([
    'http://r/weights/x',
    'tinker://r/weights',
    'tinker://r/weights/x/y',
    'tinker://r/optimizer/x',
    'tinker:///weights/x',
  ])('rejects %s with a ValidationError', (path) => {
    expect(() => parseTinkerPath(path)).toThrow(ValidationError);
  });
});

/**
 * `adamParams` reads its bounds from `AdamParamsSchema` (round 25: they were written twice). This holds
 * the two to one another with a validator of their own: a value at, just inside and just beyond every
 * bound, and a few others, is refused by `adamParams` exactly when the schema refuses it.
 */
describe('adamParams and AdamParamsSchema agree on every bound', () => {
  const around = (b: number) => [b, b - 1e-9, b + 1e-9, b - 1, b + 1];
  for (const [key, field] of Object.entries(AdamParamsSchema.properties)) {
    const bounds = [field.minimum, field.exclusiveMinimum, field.maximum, field.exclusiveMaximum];
    const values = [
      ...bounds.filter((b): b is number => b !== undefined).flatMap(around),
      -1e300,
      1e300,
      ADAM_DEFAULTS[key as keyof typeof ADAM_DEFAULTS],
    ];
    it.each(values)(`${key} = %p`, (value) => {
      const refused = (() => {
        try {
          adamParams({ [key]: value });
          return false;
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
          return true;
        }
      })();
      expect(refused).toBe(!Value.Check(AdamParamsSchema, { [key]: value }));
    });
  }
});
