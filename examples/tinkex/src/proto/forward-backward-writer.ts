import { BinaryWriter, WireType } from 'pristine-kernel/protobuf';
import { ValidationError } from 'pristine-kernel';
import type { Datum } from '../types/datum.js';
import type { ModelInputChunk } from '../types/model-input.js';
import type { TensorDataWire } from '../types/tensor-data.js';
import type { ForwardBackwardCall } from './forward-backward-request.js';
import { DType } from './gen/tinker_public_pb.js';
import { LITTLE_ENDIAN, packFloat32, packInt32, packInt64 } from './packed.js';

const LEN = WireType.LengthDelimited;
const VARINT = WireType.Varint;
const F64 = WireType.Bit64;

/**
 * One writer, reused: its buffer keeps the size of the largest request so far, so a request costs one
 * copy (`finish`) instead of a doubling buffer's regrowth. Dropped after an unusually large request.
 */
let shared = new BinaryWriter();
const KEEP_BYTES = 16 * 1024 * 1024;

/**
 * The hot path of the 0.25 protocol: `ForwardBackwardRequest` written straight from validated datums with
 * @bufbuild/protobuf's BinaryWriter, instead of building a message object per datum, chunk and tensor
 * and walking it by reflection (`create` + `toBinary` cost about 3× a JSON.stringify of the same batch).
 * Values are packed through one reused scratch buffer. The bytes equal `toBinary(forwardBackwardRequest(…))`
 * field for field (a property test compares them), so the schema stays the single source of truth.
 */
export function encodeForwardBackwardRequest(call: ForwardBackwardCall): Uint8Array {
  checkEncodable(call.data);
  const writer = shared;
  try {
    if (call.model_id !== '') writer.tag(1, LEN).string(call.model_id);
    if (call.seq_id !== 0) writer.tag(2, VARINT).int32(call.seq_id);
    for (const datum of call.data) writeDatum(writer, datum);
    if (call.loss_fn !== '') writer.tag(4, LEN).string(call.loss_fn);
    const config = call.loss_fn_config ?? {};
    for (const key in config)
      writer.tag(5, LEN).fork().tag(1, LEN).string(key).tag(2, F64).double(config[key]).join();
    if (call.forward_only) writer.tag(6, VARINT).bool(true);
  } catch (error) {
    shared = new BinaryWriter();
    throw error;
  }
  const bytes = writer.finish();
  if (bytes.byteLength > KEEP_BYTES) shared = new BinaryWriter();
  return bytes;
}

/**
 * What the protobuf request cannot carry fails here, before a seq_id is reserved: the official 0.25
 * client refuses image_asset_pointer chunks too (the request has no image-pointer chunk).
 */
export function checkEncodable(data: readonly Datum[]): void {
  for (let i = 0; i < data.length; i++) {
    const chunks = data[i].model_input.chunks;
    for (let j = 0; j < chunks.length; j++) {
      const chunk = chunks[j];
      if (!('tokens' in chunk || 'data' in chunk || 'dmel' in chunk))
        throw ValidationError.field(
          'training data',
          `/data/${i}/model_input/chunks/${j}`,
          'protocol',
          'image_asset_pointer chunks cannot be sent to forward/forward_backward in protocol 0.25; send the image bytes',
        );
    }
  }
}

function writeDatum(writer: BinaryWriter, datum: Datum): void {
  writer.tag(3, LEN).fork();
  for (const chunk of datum.model_input.chunks) {
    writer.tag(1, LEN).fork();
    writeChunk(writer, chunk);
    writer.join();
  }
  for (const name in datum.loss_fn_inputs) {
    writer.tag(2, LEN).fork().tag(1, LEN).string(name).tag(2, LEN).fork();
    writeTensor(writer, datum.loss_fn_inputs[name]);
    writer.join().join();
  }
  writer.join();
}

/** Chunks were checked by `checkEncodable`: text, image bytes or dmel. */
function writeChunk(writer: BinaryWriter, chunk: ModelInputChunk): void {
  if ('tokens' in chunk) {
    writer.tag(1, LEN).fork();
    if (chunk.tokens.length > 0) writer.tag(1, LEN).bytes(int32Bytes(chunk.tokens));
    writer.join();
    return;
  }
  if ('data' in chunk) {
    const data = Buffer.from(chunk.data, 'base64');
    writer.tag(2, LEN).fork();
    if (data.byteLength > 0) writer.tag(1, LEN).bytes(data);
    if (chunk.format) writer.tag(2, LEN).string(chunk.format);
    if (chunk.expected_tokens != null) writer.tag(3, VARINT).int32(chunk.expected_tokens);
    writer.join();
    return;
  }
  const dmel = Buffer.from((chunk as { dmel: string }).dmel, 'base64');
  writer.tag(3, LEN).fork();
  if (dmel.byteLength > 0) writer.tag(1, LEN).bytes(dmel);
  writer.join();
}

function writeTensor(writer: BinaryWriter, tensor: TensorDataWire): void {
  const int64 = tensor.dtype === 'int64';
  const values = int64 ? int64Bytes(tensor.data) : float32Bytes(tensor.data);
  const crow = tensor.sparse_crow_indices;
  if (crow != null) {
    const col = tensor.sparse_col_indices ?? [];
    writer.tag(2, LEN).fork();
    if (values.byteLength > 0) writer.tag(1, LEN).bytes(values);
    if (crow.length > 0) writer.tag(2, LEN).bytes(int64Bytes(crow));
    if (col.length > 0) writer.tag(3, LEN).bytes(int64Bytes(col));
    writer.join();
  } else {
    // A oneof member is on the wire even when empty (explicit presence).
    writer.tag(1, LEN).bytes(values);
  }
  writer.tag(3, VARINT).int32(int64 ? DType.DTYPE_INT64 : DType.DTYPE_FLOAT32);
  const shape = tensor.shape ?? (crow != null ? [] : [tensor.data.length]);
  if (shape.length > 0) {
    writer.tag(4, LEN).fork();
    for (const size of shape) writer.int64(size);
    writer.join();
  }
}

/*
 * Packing through one scratch buffer: the writer copies the bytes at once, so the next tensor may reuse
 * it. Big-endian hosts take packed.ts's byte-swapping copies.
 */
let scratch = new ArrayBuffer(64 * 1024);

function scratchOf(bytes: number): ArrayBuffer {
  if (scratch.byteLength < bytes) scratch = new ArrayBuffer(Math.max(bytes, scratch.byteLength * 2));
  return scratch;
}

function int32Bytes(values: readonly number[]): Uint8Array {
  if (!LITTLE_ENDIAN) return packInt32(values);
  const view = new Int32Array(scratchOf(values.length * 4), 0, values.length);
  view.set(values);
  return new Uint8Array(view.buffer, 0, view.byteLength);
}

function float32Bytes(values: readonly number[]): Uint8Array {
  if (!LITTLE_ENDIAN) return packFloat32(values);
  const view = new Float32Array(scratchOf(values.length * 4), 0, values.length);
  view.set(values);
  return new Uint8Array(view.buffer, 0, view.byteLength);
}

function int64Bytes(values: readonly number[]): Uint8Array {
  if (!LITTLE_ENDIAN) return packInt64(values);
  const words = new Int32Array(scratchOf(values.length * 8), 0, values.length * 2);
  let wide: BigInt64Array | undefined;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if ((v | 0) === v) {
      words[2 * i] = v;
      words[2 * i + 1] = v < 0 ? -1 : 0;
    } else {
      // Beyond 32 bits (rare: token ids and indices are small): the exact 64-bit value.
      wide ??= new BigInt64Array(words.buffer, 0, values.length);
      wide[i] = BigInt(v);
    }
  }
  return new Uint8Array(words.buffer, 0, values.length * 8);
}
