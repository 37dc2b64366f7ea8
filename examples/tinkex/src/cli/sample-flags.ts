import { InvalidArgumentError } from 'commander';
import { ValidationError, type TSchema } from 'pristine-kernel';
import { SampleRequestSchema } from '../types/sampling.js';
import { SamplingParamsSchema } from '../types/sampling-params.js';
import { checkWire } from '../types/wire-check.js';

/**
 * Argument parsers for `tinkex sample`'s decoding flags, checked against the very schemas the SDK sends
 * `asample` with (`SamplingParamsSchema`, `SampleRequestSchema`): the CLI's bounds cannot drift from the
 * library's. Hand-written bounds did: `--seed -1` and `--max-tokens 0` were refused (exit 2) while the
 * SDK, and the Python SDK, send them. A bad value is still a usage error (exit 2) naming the flag, before
 * anything is sent.
 */

/** A decimal number as typed (sign, fraction, exponent); `nan`, `Infinity`, `0x10` and '' are not. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

type Field = keyof typeof SamplingParamsSchema.properties;

/** A parser for `sampling_params.<field>`. */
export function samplingFlag(field: Field): (value: string) => number {
  return flag(field, SamplingParamsSchema.properties[field]);
}

/** The parser of `--num-samples`. */
export const numSamplesFlag = flag('num_samples', SampleRequestSchema.properties.num_samples);

function flag(field: string, schema: TSchema): (value: string) => number {
  return (value) => {
    if (!NUMBER.test(value.trim())) throw new InvalidArgumentError('expected a number.');
    const n = Number(value);
    try {
      checkWire(schema, n, field);
    } catch (error) {
      const issue = error instanceof ValidationError ? error.issues[0] : undefined;
      if (!issue) throw error;
      throw new InvalidArgumentError(`${field} ${issue.message} (${issue.rule}).`);
    }
    return n;
  };
}
