import { ValidationError } from 'pristine';
import { ModelInput } from './model-input.js';
import { TensorData } from './tensor-data.js';
import type { Datum, LossFnType, ModelInputWire, TensorDataWire } from './schemas.js';

/** Build a wire datum from builders or wire values. */
export function datum(
  model_input: ModelInput | ModelInputWire | readonly number[],
  loss_fn_inputs: Record<string, TensorData | TensorDataWire | readonly number[]>,
): Datum {
  const inputs: Record<string, TensorDataWire> = {};
  for (const [name, value] of Object.entries(loss_fn_inputs)) {
    inputs[name] =
      value instanceof TensorData
        ? value.toJSON()
        : Array.isArray(value)
          ? TensorData.fromArray(value, name === 'target_tokens' ? 'int64' : 'float32').toJSON()
          : (value as TensorDataWire);
  }
  return { model_input: ModelInput.from(model_input).toJSON(), loss_fn_inputs: inputs };
}

/** What each loss needs besides the model input. */
const REQUIRED: Record<string, string[]> = {
  cross_entropy: ['target_tokens'],
  importance_sampling: ['target_tokens', 'logprobs', 'advantages'],
  ppo: ['target_tokens', 'logprobs', 'advantages'],
  cispo: ['target_tokens', 'logprobs', 'advantages'],
  dro: ['target_tokens', 'logprobs', 'advantages'],
};

/**
 * Client-side checks the schema cannot express: required loss inputs, dtypes, shapes, and lengths that
 * must match the model input. Every failure names `data[i].loss_fn_inputs.<name>` and nothing is sent.
 */
export function checkData(data: readonly Datum[], lossFn: LossFnType | string): void {
  if (data.length === 0)
    throw ValidationError.field('training data', '/data', 'minItems', 'No data provided');
  const issues: { pointer: string; rule: string; message: string }[] = [];
  data.forEach((d, i) => {
    const inputs = d.loss_fn_inputs ?? {};
    for (const name of REQUIRED[lossFn] ?? []) {
      if (!inputs[name])
        issues.push({
          pointer: `/data/${i}/loss_fn_inputs/${name}`,
          rule: 'required',
          message: `${name} is required for ${lossFn}`,
        });
    }
    const length = ModelInput.from(d.model_input).length;
    for (const [name, tensor] of Object.entries(inputs)) {
      const where = `/data/${i}/loss_fn_inputs/${name}`;
      try {
        TensorData.check(tensor, where);
      } catch (error) {
        issues.push(...(error as ValidationError).issues);
        continue;
      }
      if (name === 'target_tokens' && tensor.dtype !== 'int64')
        issues.push({ pointer: `${where}/dtype`, rule: 'enum', message: 'target_tokens must be int64' });
      if (tensor.data.length !== length) {
        issues.push({
          pointer: where,
          rule: 'length',
          message: `has ${tensor.data.length} values but the model input has ${length} tokens`,
        });
      }
    }
  });
  if (issues.length > 0) throw new ValidationError('training data', issues);
}
