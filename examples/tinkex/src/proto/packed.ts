/**
 * The raw little-endian arrays Tinker 0.25 puts inside protobuf `bytes` fields (tokens int32, dense
 * tensors in their dtype, offsets and sparse indices int64). This is value packing, not protobuf wire
 * code: the messages themselves are encoded by @bufbuild/protobuf.
 */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** A copy whose byte order is little-endian (a no-op view on little-endian hosts). */
function littleEndian(bytes: Uint8Array, width: number): Uint8Array {
  if (LITTLE_ENDIAN) return bytes;
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += width)
    for (let j = 0; j < width; j++) out[i + j] = bytes[i + width - 1 - j];
  return out;
}

export function packInt32(values: ArrayLike<number>): Uint8Array {
  return littleEndian(bytesOf(Int32Array.from(values)), 4);
}

export function packFloat32(values: ArrayLike<number>): Uint8Array {
  return littleEndian(bytesOf(Float32Array.from(values)), 4);
}

export function packInt64(values: ArrayLike<number>): Uint8Array {
  // Token ids and offsets fit 32 bits: write low word and sign word directly (a BigInt per value costs
  // about 4x more); anything larger takes the BigInt path.
  const words = new Int32Array(values.length * 2);
  let wide: BigInt64Array | undefined;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (LITTLE_ENDIAN && (v | 0) === v) {
      words[2 * i] = v;
      words[2 * i + 1] = v < 0 ? -1 : 0;
    } else {
      wide ??= new BigInt64Array(words.buffer);
      wide[i] = BigInt(v);
    }
  }
  return littleEndian(bytesOf(words), 8);
}

/** An aligned, host-order copy of `bytes`, so a typed array can view it (protobuf slices are unaligned). */
function aligned(bytes: Uint8Array, width: number, what: string): ArrayBuffer {
  if (bytes.byteLength % width !== 0)
    throw new RangeError(`${what}: ${bytes.byteLength} bytes is not a whole number of ${width}-byte values`);
  // `new Uint8Array(bytes)` copies into a buffer of its own; `bytes.slice()` would not for a Buffer,
  // whose slice is a view into Node's shared pool (what protobuf hands out for a Buffer input).
  return littleEndian(new Uint8Array(bytes), width).buffer as ArrayBuffer;
}

/**
 * A whole packed field as numbers indexable by value (one aligned copy, no per-value objects): float32
 * and int32 as they are, bfloat16 widened to float32, int64 as float64 (exact below 2^53).
 */
export function numericView(
  bytes: Uint8Array,
  dtype: 'float32' | 'bfloat16' | 'int32' | 'int64',
  what: string,
) {
  switch (dtype) {
    case 'float32':
      return new Float32Array(aligned(bytes, 4, what));
    case 'int32':
      return new Int32Array(aligned(bytes, 4, what));
    case 'bfloat16': {
      const halves = new Uint16Array(aligned(bytes, 2, what));
      const widened = new Uint32Array(halves.length);
      for (let i = 0; i < halves.length; i++) widened[i] = halves[i] << 16;
      return new Float32Array(widened.buffer);
    }
    case 'int64': {
      const words = new Int32Array(aligned(bytes, 8, what));
      const out = new Float64Array(words.length / 2);
      for (let i = 0; i < out.length; i++) out[i] = words[2 * i + 1] * 4294967296 + (words[2 * i] >>> 0);
      return out;
    }
  }
}

/** `count` values from `start` as a plain array (a loop: `Array.from` on a typed array is several times slower). */
export function plainArray(view: ArrayLike<number>, start: number, count: number): number[] {
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = view[start + i];
  return out;
}

/** Below this many bytes a DataView read beats an aligned copy (no backing store to allocate). */
const SMALL = 256;

// Made once: an arrow written at the call would be a new function object on every call (every sample).
const int32At = (view: DataView, at: number) => view.getInt32(at, true);
const float32At = (view: DataView, at: number) => view.getFloat32(at, true);

export function unpackInt32(bytes: Uint8Array, what = 'int32 array'): number[] {
  if (bytes.byteLength <= SMALL) return readSmall(bytes, 4, what, int32At);
  const view = new Int32Array(aligned(bytes, 4, what));
  return plainArray(view, 0, view.length);
}

export function unpackFloat32(bytes: Uint8Array, what = 'float32 array'): number[] {
  if (bytes.byteLength <= SMALL) return readSmall(bytes, 4, what, float32At);
  const view = new Float32Array(aligned(bytes, 4, what));
  return plainArray(view, 0, view.length);
}

function readSmall(
  bytes: Uint8Array,
  width: number,
  what: string,
  read: (view: DataView, at: number) => number,
): number[] {
  if (bytes.byteLength % width !== 0)
    throw new RangeError(`${what}: ${bytes.byteLength} bytes is not a whole number of ${width}-byte values`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Array<number>(bytes.byteLength / width);
  for (let i = 0; i < out.length; i++) out[i] = read(view, i * width);
  return out;
}

/**
 * int64 values as numbers; Tinker's int64 payloads (tokens, offsets, indices) are far below 2^53. Read
 * as two 32-bit words, not through a BigInt per value: `hi·2^32 + lo` rounds once, so every value
 * (beyond 2^53 too) reads exactly as `Number(bigint)` would.
 */
export function unpackInt64(bytes: Uint8Array, what = 'int64 array'): number[] {
  const values = numericView(bytes, 'int64', what);
  return plainArray(values, 0, values.length);
}

/** bfloat16 widened to float32 the SDK's way: the 16 bits become the high half of a float32. */
export function unpackBfloat16(bytes: Uint8Array, what = 'bfloat16 array'): number[] {
  const halves = new Uint16Array(aligned(bytes, 2, what));
  const widened = new Uint32Array(halves.length);
  for (let i = 0; i < halves.length; i++) widened[i] = halves[i] << 16;
  return Array.from(new Float32Array(widened.buffer));
}
