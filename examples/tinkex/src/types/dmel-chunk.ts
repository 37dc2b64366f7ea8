import { ValidationError } from 'pristine-kernel';
import { DmelChunkSchema, type DmelChunk } from './model-input.js';
import { tensorContainerShape } from './tensor-container.js';
import { checkWire } from './wire-check.js';

/**
 * An audio chunk (SDK 0.23.0+): the DMel model's token tensor as serialized TensorContainer bytes,
 * base64 on the JSON wire and raw bytes in protobuf. The header is checked here as the Python SDK
 * reads it (optional constant-tensor marker 254, a dtype byte 0–7, a varint rank, varint dims), so a
 * truncated or foreign buffer is refused before anything is sent; the chunk's length in tokens is its
 * first dimension.
 */
export function dmelChunk(data: Uint8Array | string): DmelChunk {
  let bytes: Uint8Array;
  if (typeof data === 'string') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data))
      throw ValidationError.field('model input', '/dmel', 'contentEncoding', 'dmel strings must be base64');
    bytes = Buffer.from(data, 'base64');
  } else if (data instanceof Uint8Array) {
    bytes = data;
  } else {
    throw ValidationError.field('model input', '/dmel', 'type', 'dmel must be bytes or a base64 string');
  }
  tensorContainerShape(bytes);
  const chunk: DmelChunk = { dmel: Buffer.from(bytes).toString('base64'), type: 'dmel' };
  checkWire(DmelChunkSchema, chunk, 'model input');
  return chunk;
}
