import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';

/** The schema ships with the package (`proto/`), next to both `src/` and `dist/`. */
const SCHEMA = new URL('../../proto/tinker_public.proto', import.meta.url);

// keepCase: field names stay snake_case, as on the wire and in the JSON protocol.
const root = protobuf.parse(readFileSync(SCHEMA, 'utf8'), { keepCase: true }).root;

export const ForwardBackwardRequest = root.lookupType('tinker_public.ForwardBackwardRequest');
export const ForwardBackwardOutput = root.lookupType('tinker_public.ForwardBackwardOutput');
export const SampleResponse = root.lookupType('tinker_public.SampleResponse');

/** `DType` values by name and back. */
export const DType = root.lookupEnum('tinker_public.DType');
export const DTYPE = {
  UNSPECIFIED: 0,
  FLOAT32: 1,
  INT64: 2,
  INT32: 3,
  BFLOAT16: 4,
} as const;

export const StopReason = { stop: 0, length: 1 } as const;

/**
 * An int64 as protobufjs decodes it (a Long, or a number when Long is absent). `Long#toNumber`, not
 * `Number(long)`: a Long has no `valueOf`, so `Number` went through its decimal `toString`. Both round
 * `high·2^32 + low` once, to the same number.
 */
export const toNumber = (value: unknown): number =>
  typeof value === 'number'
    ? value
    : typeof (value as { toNumber?: unknown })?.toNumber === 'function'
      ? (value as { toNumber(): number }).toNumber()
      : Number(value);

const TWO_32 = 4294967296;

/**
 * A decoded `bytes` field as bytes. proto3 leaves an empty one off the wire, and protobufjs then
 * answers the prototype's default, a plain `[]` (no `byteLength`, no `buffer`): that is no bytes.
 */
export const fieldBytes = (value: Uint8Array | readonly number[] | undefined): Uint8Array =>
  value instanceof Uint8Array ? value : Uint8Array.from(value ?? []);

/** Read little-endian packed values of a dtype; bf16 widens to float32, int32 to int64 (numbers). */
export function readPacked(field: Uint8Array | readonly number[] | undefined, dtype: number): number[] {
  const bytes = fieldBytes(field);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  switch (dtype) {
    case DTYPE.FLOAT32:
      for (let i = 0; i < bytes.byteLength; i += 4) out.push(view.getFloat32(i, true));
      return out;
    case DTYPE.INT64:
      // Two words, not a BigInt per value: `high·2^32 + low` rounds once, exactly as Number(bigint).
      for (let i = 0; i < bytes.byteLength; i += 8)
        out.push(view.getInt32(i + 4, true) * TWO_32 + view.getUint32(i, true));
      return out;
    case DTYPE.INT32:
      for (let i = 0; i < bytes.byteLength; i += 4) out.push(view.getInt32(i, true));
      return out;
    case DTYPE.BFLOAT16: {
      const widened = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < bytes.byteLength; i += 2) {
        widened.setUint32(0, view.getUint16(i, true) << 16, false);
        out.push(widened.getFloat32(0, false));
      }
      return out;
    }
    default:
      throw new RangeError(`unsupported dtype ${dtype}`);
  }
}

/** Bytes per value of a dtype. */
export const WIDTH: Record<number, number> = {
  [DTYPE.FLOAT32]: 4,
  [DTYPE.INT64]: 8,
  [DTYPE.INT32]: 4,
  [DTYPE.BFLOAT16]: 2,
};

/**
 * Pack numbers little-endian in a dtype (bf16 keeps the high 16 bits of the float32, round-to-nearest-even).
 * Every byte is written, so the buffer need not be zeroed first (`allocUnsafe`: small ones come from
 * Node's pool instead of a new allocation each); one loop per dtype.
 */
export function writePacked(values: ArrayLike<number>, dtype: number): Buffer {
  const n = values.length;
  const out = Buffer.allocUnsafe(n * WIDTH[dtype]);
  if (dtype === DTYPE.FLOAT32) {
    if (LITTLE_ENDIAN && out.byteOffset % 4 === 0)
      new Float32Array(out.buffer, out.byteOffset, n).set(values);
    else for (let i = 0; i < n; i++) out.writeFloatLE(values[i], i * 4);
  } else if (dtype === DTYPE.INT32) {
    if (LITTLE_ENDIAN && out.byteOffset % 4 === 0 && inInt32Range(values))
      new Int32Array(out.buffer, out.byteOffset, n).set(values);
    else for (let i = 0; i < n; i++) out.writeInt32LE(values[i], i * 4);
  } else if (dtype === DTYPE.INT64) for (let i = 0; i < n; i++) writeInt64(out, Math.trunc(values[i]), i * 8);
  else for (let i = 0; i < n; i++) out.writeUInt16LE(bfloat16Bits(values[i]), i * 2);
  return out;
}

/**
 * A typed array stores what `writeFloatLE` / `writeInt32LE` write on a little-endian host (both convert
 * with the same float32 rounding and ToInt32), in one builtin call instead of a JS call per value: in a
 * fresh emulator's first thousands of results that was 5–6 µs against 1–3 µs per 8-value field. The
 * pool's slices are 8-byte aligned; the loop stays for the rest, and for int32 values `writeInt32LE`
 * refuses (it throws; a typed array would wrap them).
 */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function inInt32Range(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = +values[i];
    if (v > 2147483647 || v < -2147483648) return false;
  }
  return true;
}

/** A BigInt only beyond 2^53 (and for what BigInt refuses, NaN and ±∞, so that it throws as it did). */
function writeInt64(out: Buffer, v: number, at: number): void {
  if (!Number.isSafeInteger(v)) {
    out.writeBigInt64LE(BigInt(v), at);
    return;
  }
  const high = Math.floor(v / TWO_32);
  out.writeUInt32LE(v - high * TWO_32, at);
  out.writeInt32LE(high, at + 4);
}

function bfloat16Bits(value: number): number {
  const f = new DataView(new ArrayBuffer(4));
  f.setFloat32(0, value);
  const bits = f.getUint32(0);
  if (Number.isNaN(value)) return 0x7fc0;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}
