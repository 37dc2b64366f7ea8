import { Type, closestName, describeValue, ValidationError, type Static } from 'pristine-kernel';
import { strict } from './common.js';
import { checkWire, isRecord } from './wire-check.js';
import { LOSS_FN_REQUIRED_INPUTS, LOSS_INPUT_DTYPES, LOSS_INPUT_KEYS, isLossFnType } from './loss.js';
import { chunkLength, ModelInput, ModelInputSchema, type ModelInputWire } from './model-input.js';
import { TensorData, TensorDataSchema, type TensorDataWire, type TensorValues } from './tensor-data.js';

/** One training example: the model input and the per-token inputs of the loss. */
export const DatumSchema = Type.Object(
  {
    loss_fn_inputs: Type.Record(Type.String(), TensorDataSchema),
    model_input: ModelInputSchema,
  },
  strict,
);
export type Datum = Static<typeof DatumSchema>;

/**
 * A datum as callers pass one to `forward*`: `model_input` may be a `ModelInput` (as in the Python SDK's
 * `Datum(model_input=ModelInput.from_ints(…))`), whose chunks are readonly, so the wire type alone refused
 * it. The SDK only reads a datum, and sends a ModelInput's `toJSON()`.
 */
export type DatumInput = Omit<Datum, 'model_input'> & { model_input: ModelInput | ModelInputWire };

type ValidationIssue = ValidationError['issues'][number];

/**
 * Build a wire datum from builders, typed arrays or plain lists. A plain (or nested) list gets its dtype
 * from the key as in the Python SDK (`target_tokens` int64; `weights`, `advantages`, `logprobs`,
 * `clip_*_threshold` float32); under any other key it needs a TensorData or a typed array.
 */
export function datum(
  model_input: ModelInput | ModelInputWire | readonly number[],
  loss_fn_inputs: Record<string, TensorData | TensorDataWire | TensorValues> = {},
): Datum {
  if (!isRecord(loss_fn_inputs)) {
    throw ValidationError.field(
      'datum',
      '/loss_fn_inputs',
      'type',
      'loss_fn_inputs must be an object of tensors',
    );
  }
  const inputs: Record<string, TensorDataWire> = {};
  for (const [name, value] of Object.entries(loss_fn_inputs)) {
    // defineProperty: a key such as `__proto__` is data here, never the object's prototype.
    Object.defineProperty(inputs, name, {
      value: toWireTensor(name, value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { loss_fn_inputs: inputs, model_input: ModelInput.from(model_input).toJSON() };
}

function toWireTensor(name: string, value: TensorData | TensorDataWire | TensorValues): TensorDataWire {
  if (value instanceof TensorData) return value.toJSON();
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    const dtype = ArrayBuffer.isView(value) ? undefined : LOSS_INPUT_DTYPES[name];
    if (!ArrayBuffer.isView(value) && dtype === undefined) {
      throw ValidationError.field(
        'datum',
        `/loss_fn_inputs/${name}`,
        'dtype',
        `a plain list under "${name}" has no known dtype; pass TensorData.fromArray(values, dtype)`,
      );
    }
    try {
      return TensorData.fromArray(value as TensorValues, dtype).toJSON();
    } catch (error) {
      throw rebase(error, `/loss_fn_inputs/${name}`, 'datum');
    }
  }
  // A tensor already in wire form: it must be one, and a well-formed one.
  const where = `/loss_fn_inputs/${name}`;
  checkWire(TensorDataSchema, value, 'datum', where);
  try {
    TensorData.check(value as TensorDataWire, where);
  } catch (error) {
    throw rebase(error, '', 'datum');
  }
  return { ...(value as TensorDataWire) };
}

/**
 * The client-side checks of a training batch that the schema cannot express: the loss is known, every
 * input the loss needs is there, each tensor is well-formed (dtype, integer token ids, shape), and every
 * per-token input has one value per model-input token. All issues are collected; pointers look like
 * `/data/3/loss_fn_inputs/target_tokens` and messages name `data[3].loss_fn_inputs.target_tokens`.
 * The Python SDK's own check (`forward*` with no data raises "No data provided") comes first.
 */
export function checkData(data: readonly DatumInput[], lossFn: string, lossFnConfig?: unknown): void {
  checkLossFnConfig(lossFnConfig);
  if (!Array.isArray(data) || data.length === 0)
    throw ValidationError.field('training data', '/data', 'minItems', 'No data provided');
  if (!isLossFnType(lossFn)) {
    throw ValidationError.field(
      'training data',
      '/loss_fn',
      'enum',
      `unknown loss_fn ${describeValue(lossFn)}; expected one of ${Object.keys(LOSS_FN_REQUIRED_INPUTS).join(', ')}`,
    );
  }
  const issues: ValidationIssue[] = [];
  data.forEach((d, i) => checkDatum(d, i, lossFn, issues));
  if (issues.length > 0) throw new ValidationError('training data', issues);
}

function checkDatum(
  d: Datum,
  i: number,
  lossFn: keyof typeof LOSS_FN_REQUIRED_INPUTS,
  issues: ValidationIssue[],
): void {
  const base = `/data/${i}`;
  if (!isRecord(d) || !isRecord(d.model_input) || !Array.isArray(d.model_input.chunks)) {
    issues.push({
      pointer: `${base}/model_input`,
      rule: 'required',
      message: `data[${i}].model_input is required`,
    });
    return;
  }
  const inputs = d.loss_fn_inputs ?? {};
  if (!isRecord(inputs)) {
    issues.push({
      pointer: `${base}/loss_fn_inputs`,
      rule: 'type',
      message: `data[${i}].loss_fn_inputs must be an object of tensors`,
    });
    return;
  }
  const chunkIssue = d.model_input.chunks.findIndex((chunk) => !isRecord(chunk));
  if (chunkIssue >= 0) {
    issues.push({
      pointer: `${base}/model_input/chunks/${chunkIssue}`,
      rule: 'type',
      message: `data[${i}].model_input.chunks[${chunkIssue}] must be a chunk object`,
    });
    return;
  }
  for (const name of LOSS_FN_REQUIRED_INPUTS[lossFn]) {
    if (!Object.hasOwn(inputs, name) || !inputs[name]) {
      issues.push({
        pointer: `${base}/loss_fn_inputs/${name}`,
        rule: 'required',
        message: `data[${i}].loss_fn_inputs.${name} is required by ${lossFn}`,
      });
    }
  }
  // Images without expected_tokens have no client-side length; the server checks those.
  let length: number | undefined = 0;
  for (const chunk of d.model_input.chunks) {
    const n = chunkLength(chunk);
    length = n === undefined || length === undefined ? undefined : length + n;
  }
  for (const [name, tensor] of Object.entries(inputs)) {
    const where = `${base}/loss_fn_inputs/${name}`;
    if (!LOSS_INPUT_KEYS.includes(name)) {
      issues.push(unknownInput(i, name, where));
      continue;
    }
    try {
      TensorData.check(tensor, where);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues);
      continue;
    }
    if (name === 'target_tokens' && tensor.dtype !== 'int64') {
      issues.push({
        pointer: `${where}/dtype`,
        rule: 'enum',
        message: `data[${i}].loss_fn_inputs.target_tokens must be int64, got ${tensor.dtype}`,
      });
    }
    // Per-token inputs run along the sequence: their first dimension is the model input's length.
    const rows = tensor.shape && tensor.shape.length > 0 ? tensor.shape[0] : tensor.data.length;
    if (length !== undefined && rows !== length) {
      issues.push({
        pointer: where,
        rule: 'length',
        message: `data[${i}].loss_fn_inputs.${name} has ${rows} values but data[${i}].model_input has ${length} tokens`,
      });
    }
  }
}

/**
 * A key no built-in loss reads (`weight` for `weights`): the server would ignore it, and train as if the
 * input were missing (every token at weight 1), so it is refused with the key it most likely meant.
 */
function unknownInput(i: number, name: string, pointer: string): ValidationIssue {
  const hint = closestName(name, LOSS_INPUT_KEYS);
  return {
    pointer,
    rule: 'additionalProperties',
    message:
      `data[${i}].loss_fn_inputs.${name} is not a loss input${hint ? ` (did you mean "${hint}"?)` : ''}; ` +
      `the known keys are ${LOSS_INPUT_KEYS.join(', ')}`,
  };
}

/** Re-anchor a tensor's ValidationError pointers under `prefix`. */
export function rebase(error: unknown, prefix: string, where: string): unknown {
  if (!(error instanceof ValidationError)) return error;
  return new ValidationError(
    where,
    error.issues.map((issue) => ({ ...issue, pointer: `${prefix}${issue.pointer}` })),
  );
}

/**
 * A NaN or an infinity in `loss_fn_config` makes the loss NaN: refused here, in both protocols, with a
 * reason true of both (the kernel's JSON check said "JSON has no NaN", which a 0.25 protobuf request,
 * whose map holds doubles, can carry). Other wrong values are left to the request's schema.
 */
function checkLossFnConfig(config: unknown): void {
  if (!isRecord(config)) return;
  for (const [name, value] of Object.entries(config)) {
    if (typeof value !== 'number' || Number.isFinite(value)) continue;
    throw ValidationError.field(
      'training data',
      `/loss_fn_config/${name}`,
      'finite',
      `must be a finite number, got ${value}: a NaN or an infinity here would make the loss NaN`,
    );
  }
}
