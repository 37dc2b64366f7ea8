import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { AjvJsonSerializer, ValidationError, type TSchema } from 'pristine-kernel';
import {
  anyValue,
  badNumber,
  callTyped,
  FUZZ_TIMEOUT_MS,
  fuzzParams,
  trickyString,
} from '../../../../test/support/fuzz.js';
import {
  AdamParamsSchema,
  adamParams,
  checkData,
  datum,
  DatumSchema,
  imageAssetPointerChunk,
  imageChunk,
  LoraConfigSchema,
  loraConfig,
  ModelInput,
  ModelInputSchema,
  parseTinkerPath,
  samplingParams,
  SamplingParamsSchema,
  TensorData,
  TensorDataSchema,
} from '../../src/index.js';

/**
 * Every public builder of request data, fed generated bad input: it returns a value the wire schema
 * accepts, or throws a ValidationError. Never a TypeError/RangeError, never garbage (NaN data, a shape
 * that does not hold the values) passed on silently.
 */
const serializer = new AjvJsonSerializer();
const wireIssues = (schema: TSchema, value: unknown) =>
  serializer.compile(schema)(JSON.parse(JSON.stringify(value)));

/** Run a builder; a result must satisfy `valid`, a throw must be a ValidationError. */
function builds(run: () => unknown, valid: (value: any) => void): void {
  const outcome = callTyped(run);
  if (outcome.ok) valid(outcome.value);
  else expect(outcome.error).toBeInstanceOf(ValidationError);
}

const dtype = fc.oneof(fc.constantFrom('int64', 'float32'), anyValue());
const numbers = fc.array(fc.oneof(fc.integer({ min: 0, max: 1000 }), badNumber()), { maxLength: 8 });
const tensorValues = fc.oneof(
  numbers,
  fc.array(numbers, { maxLength: 3 }),
  numbers.map((a) => new Set(a)),
  numbers.map((a) => Float32Array.from(a)),
  numbers.map((a) => Float64Array.from(a)),
  numbers.map((a) => Int32Array.from(a)),
  fc.array(fc.bigInt(), { maxLength: 4 }),
  fc.array(fc.bigInt(), { maxLength: 4 }).map((a) => BigInt64Array.from(a)),
  anyValue(),
);
const shape = fc.oneof(
  fc.constant(undefined),
  fc.array(fc.oneof(fc.nat(8), badNumber()), { maxLength: 3 }),
  anyValue(),
);

function validTensor(tensor: TensorData): void {
  expect(tensor).toBeInstanceOf(TensorData);
  const wire = tensor.toJSON();
  expect(wireIssues(TensorDataSchema, wire)).toEqual([]);
  expect(wire.data.every(Number.isFinite)).toBe(true);
  if (wire.dtype === 'int64') expect(wire.data.every(Number.isSafeInteger)).toBe(true);
  // `===`, not Object.is: a dimension of -0 is 0 (and is sent as 0).
  expect((wire.shape ?? []).reduce((a, b) => a * b, 1) === wire.data.length).toBe(true);
}

function validModelInput(input: ModelInput): void {
  expect(input).toBeInstanceOf(ModelInput);
  expect(wireIssues(ModelInputSchema, input.toJSON())).toEqual([]);
  // Derived views answer with a number/array or a ValidationError, never a crash.
  builds(
    () => input.length,
    (n) => expect(Number.isInteger(n) && n >= 0).toBe(true),
  );
  builds(
    () => input.toInts(),
    (ints) => expect(Array.isArray(ints)).toBe(true),
  );
}

describe('builders answer bad input with a ValidationError (property-based)', () => {
  it(
    'TensorData.fromArray / fromTypedArray / fromWire / check',
    () => {
      fc.assert(
        fc.property(tensorValues, dtype, shape, (values, d, s) => {
          builds(() => TensorData.fromArray(values as never, d as never, s as never), validTensor);
          builds(() => TensorData.fromTypedArray(values as never, s as never), validTensor);
          builds(() => TensorData.fromWire({ data: values, dtype: d, shape: s } as never), validTensor);
          builds(() => TensorData.fromWire(values as never), validTensor);
          builds(
            () => TensorData.check({ data: values, dtype: d, shape: s } as never, '/t'),
            () => undefined,
          );
          builds(
            () => TensorData.check(values as never, '/t'),
            () => undefined,
          );
        }),
        fuzzParams(400),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'ModelInput builders and chunk helpers',
    () => {
      const chunk = fc.oneof(
        fc.record({ tokens: numbers }),
        fc.record(
          {
            data: fc.oneof(fc.base64String(), anyValue()),
            format: fc.oneof(fc.constantFrom('png', 'jpeg'), anyValue()),
            expected_tokens: fc.oneof(fc.nat(), badNumber(), fc.constant(undefined)),
          },
          { requiredKeys: [] },
        ),
        fc.record({
          location: fc.oneof(fc.string(), anyValue()),
          format: fc.constantFrom('png', 'jpeg'),
          type: fc.constant('image_asset_pointer'),
        }),
        anyValue(),
      );
      fc.assert(
        fc.property(
          fc.oneof(numbers, anyValue()),
          fc.array(chunk, { maxLength: 3 }),
          anyValue(),
          (ints, chunks, other) => {
            builds(() => ModelInput.fromInts(ints as never), validModelInput);
            builds(() => ModelInput.fromChunks(chunks as never), validModelInput);
            builds(() => ModelInput.fromChunks(other as never), validModelInput);
            builds(() => ModelInput.from(other as never), validModelInput);
            builds(() => ModelInput.from({ chunks } as never), validModelInput);
            builds(() => ModelInput.empty().appendInt(other as never), validModelInput);
            builds(() => ModelInput.empty().append(chunks[0] as never), validModelInput);
            builds(
              () => ModelInput.fromChunks([imageChunk(other as never, 'png', other as never)]),
              validModelInput,
            );
            builds(
              () => ModelInput.fromChunks([imageAssetPointerChunk(other as never, other as never)]),
              validModelInput,
            );
          },
        ),
        fuzzParams(400),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'datum and checkData',
    () => {
      const lossInputs = fc.oneof(
        fc.dictionary(
          fc.constantFrom('target_tokens', 'weights', 'advantages', 'logprobs', 'mask', '__proto__'),
          tensorValues,
          { maxKeys: 3 },
        ),
        anyValue(),
      );
      fc.assert(
        fc.property(
          fc.oneof(numbers, anyValue()),
          lossInputs,
          fc.oneof(fc.constantFrom('cross_entropy', 'ppo', 'dro'), anyValue()),
          (input, inputs, loss) => {
            builds(
              () => datum(input as never, inputs as never),
              (d) => expect(wireIssues(DatumSchema, d)).toEqual([]),
            );
            builds(
              () => checkData([{ model_input: input, loss_fn_inputs: inputs }] as never, loss as never),
              () => undefined,
            );
            builds(
              () => checkData(input as never, loss as never),
              () => undefined,
            );
          },
        ),
        fuzzParams(400),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'samplingParams, adamParams and loraConfig',
    () => {
      const field = fc.oneof(fc.constant(undefined), badNumber(), anyValue(), fc.nat(100));
      const params = fc.oneof(
        fc.record(
          {
            max_tokens: field,
            seed: field,
            stop: fc.oneof(field, fc.array(fc.oneof(fc.string(), fc.nat(), anyValue()), { maxLength: 3 })),
            temperature: field,
            top_k: field,
            top_p: field,
            extra: field,
          },
          { requiredKeys: [] },
        ),
        anyValue(),
      );
      const adam = fc.oneof(
        fc.record(
          {
            learning_rate: field,
            beta1: field,
            beta2: field,
            eps: field,
            weight_decay: field,
            grad_clip_norm: field,
          },
          { requiredKeys: [] },
        ),
        anyValue(),
      );
      const lora = fc.oneof(
        fc.record(
          {
            rank: field,
            seed: field,
            train_mlp: anyValue(),
            train_attn: anyValue(),
            train_unembed: anyValue(),
          },
          { requiredKeys: [] },
        ),
        anyValue(),
      );
      fc.assert(
        fc.property(params, adam, lora, (p, a, l) => {
          builds(
            () => samplingParams(p as never),
            (v) => expect(wireIssues(SamplingParamsSchema, v)).toEqual([]),
          );
          builds(
            () => adamParams(a as never),
            (v) => expect(wireIssues(AdamParamsSchema, v)).toEqual([]),
          );
          builds(
            () => loraConfig(l as never),
            (v) => expect(wireIssues(LoraConfigSchema, v)).toEqual([]),
          );
        }),
        fuzzParams(400),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'parseTinkerPath',
    () => {
      const part = fc.oneof(trickyString(), fc.constantFrom('run-1', 'weights', 'sampler_weights', 'ckpt'));
      const path = fc.oneof(
        fc
          .tuple(part, fc.constantFrom('weights', 'sampler_weights'), part)
          .map((p) => `tinker://${p.join('/')}`),
        fc.array(part, { maxLength: 5 }).map((p) => `tinker://${p.join('/')}`),
        trickyString(),
        anyValue(),
      );
      fc.assert(
        fc.property(path, (p) => {
          builds(
            () => parseTinkerPath(p as never),
            (parsed) => {
              const [run, , name] = parsed.tinker_path.slice('tinker://'.length).split('/');
              for (const segment of [run, name]) expect(['', '.', '..']).not.toContain(segment);
            },
          );
        }),
        fuzzParams(600),
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
