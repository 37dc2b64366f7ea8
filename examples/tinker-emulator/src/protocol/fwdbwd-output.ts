import { DTYPE, writePacked } from './proto.js';

type Obj = Record<string, any>;

/** What of results.ts's `ProtobufResultLayout` this reads (by shape: results.ts imports this file). */
interface Layout {
  records: 'one' | 'per-datum';
  float: 'float32' | 'bfloat16';
}

/** One BatchedTensor of an ArrayRecord, sized before it is written. */
interface Field {
  name: number; // the name's UTF-8 length
  key: string;
  parts: Buffer[];
  dataBytes: number;
  offsets: Buffer;
  dtype: number;
  trailing: number[];
  trailingBytes: number;
  size: number; // the BatchedTensor message
  entry: number; // its map entry
}

const TYPE = 'ArrayRecord';
/** UTF-16 surrogates: protobufjs and Buffer write a lone one differently, so such names are left to it. */
const SURROGATE = /[\ud800-\udfff]/;

/**
 * The `ForwardBackwardOutput` of a forward/backward result in one Buffer of its exact size: the result
 * every 0.25 training step polls. `undefined` for what protobufjs is left to (results.ts): metric values
 * that are not numbers, names with UTF-16 surrogates or `__proto__`, trailing dims that are not
 * non-negative safe integers.
 *
 * Why not protobufjs: its writer queues an operation object per field, forks per nested message and map
 * entry, and converts every int64 through LongBits: garbage and more code for V8 to compile in every 0.25
 * training step's poll. Warm, a one-datum step's result takes 1.7 µs here against 2.5 µs there
 * (docs/performance-notes.md, round 21 notes, `step25`). The tensor bytes are the same `writePacked` output;
 * field order and presence follow protobufjs's encoder (a property test compares the two on any result).
 */
export function encodeCommonForwardBackwardOutput(result: Obj, layout: Layout): Buffer | undefined {
  const metrics: Obj = result.metrics ?? {};
  const metricKeys = Object.keys(metrics);
  let size = 2 + TYPE.length; // loss_fn_output_type = 1
  const metricNames: number[] = [];
  for (const key of metricKeys) {
    if (typeof metrics[key] !== 'number' || SURROGATE.test(key)) return undefined;
    const bytes = Buffer.byteLength(key);
    metricNames.push(bytes);
    size += delimited(delimited(bytes) + 9);
  }
  const outputs = result.loss_fn_outputs as Obj[];
  const groups = layout.records === 'per-datum' ? outputs.map((o) => [o]) : outputs.length ? [outputs] : [];
  const records: { fields: Field[]; count: number; size: number }[] = [];
  for (const group of groups) {
    const fields = recordFields(group, layout);
    if (!fields) return undefined;
    let recordSize = 1 + varintSize(group.length); // num_datums = 3
    for (const f of fields) recordSize += delimited(f.entry);
    records.push({ fields, count: group.length, size: recordSize });
    size += delimited(recordSize);
  }

  const out = Buffer.allocUnsafe(size);
  out[0] = 0x0a; // loss_fn_output_type = 1
  out[1] = TYPE.length;
  let at = 2 + out.write(TYPE, 2, 'latin1');
  for (const record of records) {
    out[at++] = 0x12; // loss_fn_outputs = 2
    at = varint(out, at, record.size);
    for (const f of record.fields) {
      out[at++] = 0x12; // fields = 2, a map entry
      at = varint(out, at, f.entry);
      at = text(out, at, f.key, f.name); // key = 1
      out[at++] = 0x12; // value = 2
      at = varint(out, at, f.size);
      // data = 1: proto3 `bytes`, left out when empty (protobufjs's presence rule)
      if (f.dataBytes > 0) {
        out[at++] = 0x0a;
        at = varint(out, at, f.dataBytes);
        for (const part of f.parts) at += part.copy(out, at);
      }
      out[at++] = 0x12; // offsets = 2
      at = varint(out, at, f.offsets.length);
      at += f.offsets.copy(out, at);
      out[at++] = 0x18; // dtype = 3
      at = varint(out, at, f.dtype);
      if (f.trailing.length > 0) {
        out[at++] = 0x22; // trailing_shape = 4, packed
        at = varint(out, at, f.trailingBytes);
        for (const d of f.trailing) at = varint(out, at, d);
      }
    }
    out[at++] = 0x18; // num_datums = 3
    at = varint(out, at, record.count);
  }
  metricKeys.forEach((key, i) => {
    out[at++] = 0x1a; // metrics = 3, a map entry
    at = varint(out, at, delimited(metricNames[i]) + 9);
    at = text(out, at, key, metricNames[i]);
    out[at++] = 0x11; // value = 2, double
    at = out.writeDoubleLE(metrics[key], at);
  });
  return out;
}

/** The BatchedTensors of one ArrayRecord, as results.ts's `arrayRecord` builds them; undefined: protobufjs's. */
function recordFields(outputs: Obj[], layout: Layout): Field[] | undefined {
  const names = outputs.length ? Object.keys(outputs[0]) : [];
  const fields: Field[] = [];
  for (const key of names) {
    if (key === '__proto__' || SURROGATE.test(key)) return undefined;
    const tensors = outputs.map((o) => o[key] as { data: number[]; dtype: string; shape?: number[] });
    const int = tensors[0].dtype === 'int64';
    const dtype = int ? DTYPE.INT64 : layout.float === 'bfloat16' ? DTYPE.BFLOAT16 : DTYPE.FLOAT32;
    const parts = tensors.map((t) => writePacked(t.data, dtype));
    const offsets = [0];
    for (const p of parts) offsets.push(offsets[offsets.length - 1] + p.length);
    const shape = tensors[0].shape;
    const trailing = shape && shape.length > 1 ? shape.slice(1) : [];
    let trailingBytes = 0;
    for (const d of trailing) {
      if (!Number.isSafeInteger(d) || d < 0) return undefined;
      trailingBytes += varintSize(d);
    }
    const dataBytes = offsets[offsets.length - 1];
    const packedOffsets = writePacked(offsets, DTYPE.INT64);
    const size =
      (dataBytes > 0 ? delimited(dataBytes) : 0) +
      delimited(packedOffsets.length) +
      1 +
      varintSize(dtype) +
      (trailing.length > 0 ? delimited(trailingBytes) : 0);
    const name = Buffer.byteLength(key);
    const entry = delimited(name) + delimited(size);
    fields.push({
      name,
      key,
      parts,
      dataBytes,
      offsets: packedOffsets,
      dtype,
      trailing,
      trailingBytes,
      size,
      entry,
    });
  }
  return fields;
}

/** A length-delimited field of `bytes` bytes: tag, length, bytes. */
const delimited = (bytes: number): number => 1 + varintSize(bytes) + bytes;

/** Varint length of a non-negative safe integer (sizes and dims; beyond 32 bits without wrapping). */
function varintSize(value: number): number {
  let size = 1;
  while (value > 127) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

function varint(out: Buffer, at: number, value: number): number {
  while (value > 127) {
    out[at++] = (value % 128) | 128;
    value = Math.floor(value / 128);
  }
  out[at++] = value;
  return at;
}

/** A string field's tag (1), length and UTF-8 bytes. */
function text(out: Buffer, at: number, value: string, bytes: number): number {
  out[at++] = 0x0a;
  at = varint(out, at, bytes);
  return at + out.write(value, at, 'utf8');
}
