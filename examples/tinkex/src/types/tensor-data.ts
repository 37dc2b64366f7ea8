import { Type, describeValue, ValidationError, type Static } from 'pristine-kernel';
import { maybe, strict } from './common.js';
import { isArrayLike, isRecord } from './wire-check.js';

export const TensorDtypeSchema = Type.Union([Type.Literal('int64'), Type.Literal('float32')]);

/**
 * A dense (or CSR-sparse, SDK 0.18+) tensor as JSON: flat `data`, a dtype and an optional shape.
 * Strict: this is what the client sends.
 */
export const TensorDataSchema = Type.Object(
  {
    data: Type.Array(Type.Number()),
    dtype: TensorDtypeSchema,
    shape: maybe(Type.Array(Type.Integer({ minimum: 0 }))),
    sparse_crow_indices: maybe(Type.Array(Type.Integer({ minimum: 0 }))),
    sparse_col_indices: maybe(Type.Array(Type.Integer({ minimum: 0 }))),
  },
  strict,
);

/** The same tensor in a server answer: unknown fields are ignored, as the Python SDK does. */
export const TensorDataOutputSchema = Type.Object({
  data: Type.Array(Type.Number()),
  dtype: TensorDtypeSchema,
  shape: maybe(Type.Array(Type.Integer({ minimum: 0 }))),
});

export type TensorDtype = Static<typeof TensorDtypeSchema>;
export type TensorDataWire = Static<typeof TensorDataSchema>;

/** Values a tensor can be built from. Nested plain arrays give their shape (rectangular only). */
export type TensorValues =
  | readonly number[]
  | readonly bigint[]
  | readonly (readonly unknown[])[]
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array;

type Store = Float32Array | Float64Array;

const WHERE = 'tensor';

/**
 * A dense tensor: dtype `int64` or `float32`, a shape, and values kept in a typed array so a million
 * values cost 4 or 8 bytes each, not a boxed JS array. Immutable. int64 values are held as doubles, so
 * they must be safe integers (|v| ≤ 2^53 − 1), which token ids always are.
 */
export class TensorData {
  private wire?: TensorDataWire;

  private constructor(
    private readonly values: Store,
    readonly dtype: TensorDtype,
    readonly shape: readonly number[],
  ) {}

  /**
   * Build from values. The dtype is inferred from typed arrays (Float32Array/Float64Array → float32,
   * Int32Array/BigInt64Array → int64) and bigint arrays; plain number arrays need it. Throws a
   * ValidationError for a wrong dtype, non-integers in int64, non-finite numbers, or a shape that does
   * not hold exactly the given number of values.
   */
  static fromArray(values: TensorValues, dtype?: TensorDtype, shape?: readonly number[]): TensorData {
    checkValues(values, '/data');
    checkShapeType(shape, '/shape');
    let flat: ArrayLike<unknown> = values as ArrayLike<unknown>;
    let inferredShape: number[] | undefined;
    if (Array.isArray(values) && values.length > 0 && Array.isArray(values[0])) {
      ({ flat, shape: inferredShape } = flatten(values as readonly unknown[]));
    }
    const resolved = dtype ?? inferDtype(values);
    checkDtype(resolved, '/dtype');
    const store = toStore(flat, resolved);
    const dims = shape ? [...shape] : (inferredShape ?? [store.length]);
    checkShape(dims, store.length, '/shape');
    return new TensorData(store, resolved, dims);
  }

  /** Build from a typed array; its element type decides the dtype. */
  static fromTypedArray(
    values: Float32Array | Float64Array | Int32Array | BigInt64Array,
    shape?: readonly number[],
  ): TensorData {
    return TensorData.fromArray(values, undefined, shape);
  }

  /** Decode the JSON form (as found in requests and in `loss_fn_outputs`), validating it. */
  static fromWire(wire: {
    data: readonly number[];
    dtype: string;
    shape?: readonly number[] | null;
  }): TensorData {
    checkWireShape(wire, '');
    checkDtype(wire.dtype, '/dtype');
    const dtype = wire.dtype as TensorDtype;
    const store = toStore(wire.data, dtype);
    const dims = wire.shape ? [...wire.shape] : [store.length];
    checkShape(dims, store.length, '/shape');
    return new TensorData(store, dtype, dims);
  }

  /**
   * Validate a tensor in its JSON form without keeping a copy; issues are reported under `where`
   * (a JSON pointer such as `/data/0/loss_fn_inputs/weights`).
   */
  static check(
    wire: { data: readonly unknown[]; dtype: string; shape?: readonly number[] | null },
    where: string,
  ): void {
    checkWireShape(wire, where);
    checkDtype(wire.dtype, `${where}/dtype`);
    scan(wire.data, wire.dtype as TensorDtype, `${where}/data`);
    // Sparse tensors carry only the non-zero values, so their shape holds more than `data`.
    const sparse = (wire as { sparse_crow_indices?: unknown }).sparse_crow_indices != null;
    if (wire.shape && !sparse) checkShape(wire.shape, wire.data.length, `${where}/shape`);
  }

  /** Number of values. */
  get size(): number {
    return this.values.length;
  }

  /**
   * The flat values as a new plain array. Built by push, not `new Array(n)`: a holey array takes
   * JSON.stringify's slow path (about 40% slower on a million floats).
   */
  toArray(): number[] {
    const values = this.values;
    const n = values.length;
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(values[i]);
    return out;
  }

  /** A copy as Float32Array (float32) or BigInt64Array (int64). */
  toTypedArray(): Float32Array | BigInt64Array {
    if (this.dtype === 'float32') return (this.values as Float32Array).slice();
    const n = this.values.length;
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) out[i] = BigInt(this.values[i]);
    return out;
  }

  /** The wire form `{data, dtype, shape}` (float32 values as their exact double expansion, like numpy). */
  toJSON(): TensorDataWire {
    this.wire ??= { data: this.toArray(), dtype: this.dtype, shape: [...this.shape] };
    return this.wire;
  }
}

/** The container must be a list or a typed array: a Set or an object would read as zero values. */
function checkValues(values: unknown, pointer: string): void {
  if (!isArrayLike(values)) {
    throw ValidationError.field(
      WHERE,
      pointer,
      'type',
      `values must be an array or a typed array, got ${describeValue(values)}`,
    );
  }
}

function checkShapeType(shape: unknown, pointer: string): void {
  if (shape !== undefined && shape !== null && !Array.isArray(shape)) {
    throw ValidationError.field(
      WHERE,
      pointer,
      'type',
      `shape must be an array of dimensions, got ${describeValue(shape)}`,
    );
  }
}

/** The JSON form: an object with a `data` list and an optional `shape` list. */
function checkWireShape(wire: unknown, where: string): void {
  if (!isRecord(wire)) {
    throw ValidationError.field(
      WHERE,
      where || '/',
      'type',
      `a tensor must be an object {data, dtype, shape}, got ${describeValue(wire)}`,
    );
  }
  checkValues(wire.data, `${where}/data`);
  checkShapeType(wire.shape, `${where}/shape`);
}

function inferDtype(values: TensorValues): TensorDtype {
  if (values instanceof Float32Array || values instanceof Float64Array) return 'float32';
  if (values instanceof Int32Array || values instanceof BigInt64Array) return 'int64';
  let first: unknown = (values as readonly unknown[])[0];
  while (Array.isArray(first)) first = first[0];
  if (typeof first === 'bigint') return 'int64';
  throw ValidationError.field(
    WHERE,
    '/dtype',
    'required',
    'dtype is required for plain number arrays ("int64" or "float32")',
  );
}

function checkDtype(dtype: unknown, pointer: string): void {
  if (dtype !== 'int64' && dtype !== 'float32') {
    throw ValidationError.field(
      WHERE,
      pointer,
      'enum',
      `dtype must be "int64" or "float32", got ${describeValue(dtype)}`,
    );
  }
}

function checkShape(shape: readonly number[], size: number, pointer: string): void {
  let product = 1;
  for (let i = 0; i < shape.length; i++) {
    if (!Number.isSafeInteger(shape[i]) || shape[i] < 0) {
      throw ValidationError.field(
        WHERE,
        `${pointer}/${i}`,
        'integer',
        `dimensions are non-negative (safe) integers, got ${describeValue(shape[i])}`,
      );
    }
    product *= shape[i];
  }
  if (product !== size) {
    throw ValidationError.field(
      WHERE,
      pointer,
      'shape',
      `shape [${shape.map(describeValue).join(', ')}] holds ${product} values, but there are ${size}`,
    );
  }
}

/**
 * Copy into the backing typed array. The common cases use the engine's native bulk conversion; a
 * NaN afterwards means a bad input value (or a real NaN), and only then is the slow, precise scan run.
 */
function toStore(values: ArrayLike<unknown>, dtype: TensorDtype): Store {
  const n = values.length;
  if (values instanceof BigInt64Array || (n > 0 && typeof values[0] === 'bigint')) {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (
        typeof v !== 'bigint' ||
        v > BigInt(Number.MAX_SAFE_INTEGER) ||
        v < -BigInt(Number.MAX_SAFE_INTEGER)
      ) {
        scan(values, dtype, '/data');
      }
      out[i] = Number(v as bigint);
    }
    if (dtype === 'float32') return new Float32Array(out);
    return out;
  }
  const isTyped = ArrayBuffer.isView(values);
  // Plain arrays of non-numbers would be coerced silently by the typed-array constructor.
  if (!isTyped) scan(values, dtype, '/data');
  const out =
    dtype === 'float32'
      ? new Float32Array(values as ArrayLike<number>)
      : new Float64Array(values as ArrayLike<number>);
  if (isTyped) scan(out, dtype, '/data');
  return out;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** The largest finite float32: anything beyond would be stored as ±Infinity. */
const MAX_FLOAT32 = 3.4028234663852886e38;

/**
 * Reject non-numbers, non-finite numbers, float32 values beyond the float32 range (stored as ±Infinity),
 * and non-integers (or unsafe integers) in int64 tensors.
 * Hot loop over up to millions of values: arithmetic only, no global lookups (`Number.isFinite` is a
 * global property read per element, which is slow inside vm contexts such as Jest's).
 */
function scan(values: ArrayLike<unknown>, dtype: TensorDtype, pointer: string): void {
  const int = dtype === 'int64';
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v === 'number') {
      // v - v is 0 for finite numbers and NaN for NaN and ±Infinity.
      if (int ? v % 1 === 0 && v <= MAX_SAFE && v >= -MAX_SAFE : v <= MAX_FLOAT32 && v >= -MAX_FLOAT32)
        continue;
      throw ValidationError.field(
        WHERE,
        `${pointer}/${i}`,
        int ? 'integer' : v - v === 0 ? 'maximum' : 'finite',
        int
          ? `int64 tensors hold (safe) integers, got ${v}`
          : v - v === 0
            ? `float32 values lie within ±${MAX_FLOAT32}, got ${v}`
            : `values must be finite numbers, got ${v}`,
      );
    }
    if (typeof v === 'bigint' && v <= BigInt(MAX_SAFE) && v >= -BigInt(MAX_SAFE)) continue;
    throw ValidationError.field(
      WHERE,
      `${pointer}/${i}`,
      'type',
      `values must be numbers, got ${typeof v === 'bigint' ? `${v}n (beyond 2^53)` : describeValue(v)}`,
    );
  }
}

/** Flatten a nested rectangular array, returning its shape; ragged nesting is rejected. */
function flatten(values: readonly unknown[]): { flat: unknown[]; shape: number[] } {
  const shape: number[] = [];
  for (let level: unknown = values; Array.isArray(level); level = level[0]) shape.push(level.length);
  const flat: unknown[] = [];
  const walk = (node: unknown, depth: number, pointer: string): void => {
    if (depth === shape.length) {
      if (Array.isArray(node))
        throw ValidationError.field(WHERE, pointer, 'shape', 'ragged nested arrays are not tensors');
      flat.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw ValidationError.field(
        WHERE,
        pointer,
        'shape',
        `ragged nested arrays are not tensors: expected ${shape[depth]} values here`,
      );
    }
    for (let i = 0; i < node.length; i++) walk(node[i], depth + 1, `${pointer}/${i}`);
  };
  walk(values, 0, '/data');
  return { flat, shape };
}
