import { ValidationError } from 'pristine';
import type { TensorDataWire, TensorDtype } from './schemas.js';

type Numeric =
  readonly number[] | Float32Array | Float64Array | Int32Array | BigInt64Array | readonly bigint[];

/** A dense tensor as the wire carries it: flat data, a dtype (`int64` or `float32`) and a shape. */
export class TensorData {
  private constructor(
    readonly data: number[],
    readonly dtype: TensorDtype,
    readonly shape: number[],
  ) {}

  /** Build from values; the dtype is inferred from typed arrays, else required. Validates before sending. */
  static fromArray(values: Numeric, dtype?: TensorDtype, shape?: readonly number[]): TensorData {
    const resolved = dtype ?? inferDtype(values);
    const data = toNumbers(values);
    const dims = shape ? [...shape] : [data.length];
    TensorData.check({ data, dtype: resolved, shape: dims }, 'tensor');
    return new TensorData(data, resolved, dims);
  }

  static fromWire(wire: TensorDataWire): TensorData {
    return new TensorData(wire.data, wire.dtype, wire.shape ?? [wire.data.length]);
  }

  /** Throw a ValidationError naming `where` if the dtype, values or shape are inconsistent. */
  static check(
    wire: { data: readonly number[]; dtype: string; shape?: readonly number[] | null },
    where: string,
  ): void {
    if (wire.dtype !== 'int64' && wire.dtype !== 'float32') {
      throw ValidationError.field(
        'tensor',
        `${where}/dtype`,
        'enum',
        `dtype must be "int64" or "float32", got "${wire.dtype}"`,
      );
    }
    if (wire.dtype === 'int64') {
      for (let i = 0; i < wire.data.length; i++) {
        if (!Number.isInteger(wire.data[i])) {
          throw ValidationError.field(
            'tensor',
            `${where}/data/${i}`,
            'integer',
            `int64 tensors hold integers, got ${wire.data[i]}`,
          );
        }
      }
    }
    if (wire.shape) {
      const size = wire.shape.reduce((a, b) => a * b, 1);
      if (size !== wire.data.length) {
        throw ValidationError.field(
          'tensor',
          `${where}/shape`,
          'shape',
          `shape [${wire.shape.join(', ')}] holds ${size} values, data has ${wire.data.length}`,
        );
      }
    }
  }

  toArray(): number[] {
    return [...this.data];
  }

  toTypedArray(): Float32Array | BigInt64Array {
    return this.dtype === 'float32'
      ? Float32Array.from(this.data)
      : BigInt64Array.from(this.data, (x) => BigInt(x));
  }

  toJSON(): TensorDataWire {
    return { data: this.data, dtype: this.dtype, shape: this.shape };
  }
}

function inferDtype(values: Numeric): TensorDtype {
  if (values instanceof Float32Array || values instanceof Float64Array) return 'float32';
  if (values instanceof Int32Array || values instanceof BigInt64Array) return 'int64';
  const first = (values as readonly unknown[])[0];
  if (typeof first === 'bigint') return 'int64';
  throw ValidationError.field(
    'tensor',
    '/dtype',
    'required',
    'dtype is required for plain arrays ("int64" or "float32")',
  );
}

/** Copy into a plain number array without per-element closures (1M values are common). */
function toNumbers(values: Numeric): number[] {
  const out = new Array<number>(values.length);
  if (values instanceof BigInt64Array || typeof (values as readonly unknown[])[0] === 'bigint') {
    for (let i = 0; i < values.length; i++) out[i] = Number((values as readonly bigint[])[i]);
  } else if (values instanceof Float32Array) {
    // Round-trip float32 values through their shortest decimal so the wire JSON stays compact.
    for (let i = 0; i < values.length; i++) out[i] = Math.fround(values[i]);
  } else {
    for (let i = 0; i < values.length; i++) out[i] = (values as readonly number[])[i];
  }
  return out;
}
