import { Type, describeValue, ValidationError, type Static } from 'pristine-kernel';
import { strict } from './common.js';
import { isRecord } from './wire-check.js';

/**
 * AdamW settings for `optim_step`. Every field is optional on the wire: 0.7.0 sends only the fields
 * the caller set and the server applies the defaults below; newer SDKs send all six.
 */
export const AdamParamsSchema = Type.Object(
  {
    learning_rate: Type.Optional(Type.Number({ minimum: 0 })),
    beta1: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 1 })),
    beta2: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 1 })),
    eps: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    /** Decoupled (AdamW) weight decay. */
    weight_decay: Type.Optional(Type.Number({ minimum: 0 })),
    /** Maximum global gradient norm; 0 turns clipping off. */
    grad_clip_norm: Type.Optional(Type.Number({ minimum: 0 })),
  },
  strict,
);
export type AdamParams = Static<typeof AdamParamsSchema>;

/** The Python SDK's `AdamParams` defaults. */
export const ADAM_DEFAULTS: Readonly<Required<AdamParams>> = Object.freeze({
  learning_rate: 1e-4,
  beta1: 0.9,
  beta2: 0.95,
  eps: 1e-12,
  weight_decay: 0,
  grad_clip_norm: 0,
});

/** The JSON Schema bounds of a number (the ones a field of the schema may carry). */
type Bounds = { minimum?: number; exclusiveMinimum?: number; maximum?: number; exclusiveMaximum?: number };

/** Each field's bounds, read from the schema, so that `adamParams` and the request check cannot drift. */
const BOUNDS: Readonly<Record<string, Bounds>> = AdamParamsSchema.properties;

const within = (b: Bounds, v: number) =>
  (b.minimum === undefined || v >= b.minimum) &&
  (b.exclusiveMinimum === undefined || v > b.exclusiveMinimum) &&
  (b.maximum === undefined || v <= b.maximum) &&
  (b.exclusiveMaximum === undefined || v < b.exclusiveMaximum);

/** `≥ 0 and < 1`, `> 0`. */
const range = (b: Bounds) =>
  [
    b.minimum !== undefined && `≥ ${b.minimum}`,
    b.exclusiveMinimum !== undefined && `> ${b.exclusiveMinimum}`,
    b.maximum !== undefined && `≤ ${b.maximum}`,
    b.exclusiveMaximum !== undefined && `< ${b.exclusiveMaximum}`,
  ]
    .filter(Boolean)
    .join(' and ');

/**
 * Adam parameters with every default filled in (what SDKs ≥ 0.8 send), validated: a bad value throws a
 * ValidationError naming the field.
 */
export function adamParams(overrides: AdamParams = {}): Required<AdamParams> {
  if (!isRecord(overrides)) {
    throw ValidationError.field('adam params', '/', 'type', 'adam params must be an object');
  }
  const out = { ...ADAM_DEFAULTS } as Required<AdamParams>;
  for (const [key, value] of Object.entries(overrides) as [keyof AdamParams, number | undefined][]) {
    if (!Object.hasOwn(BOUNDS, key)) {
      throw ValidationError.field('adam params', `/${key}`, 'additionalProperties', `unknown field "${key}"`);
    }
    if (value === undefined) continue;
    const b = BOUNDS[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || !within(b, value)) {
      throw ValidationError.field(
        'adam params',
        `/${key}`,
        'range',
        `${key} must be ${range(b)}, got ${describeValue(value)}`,
      );
    }
    out[key] = value;
  }
  return out;
}
