import { ValidationError } from 'pristine-kernel';

/** TensorContainer header bytes (the Python SDK's `types/_tensor_container.py`). */
const CONSTANT_TENSOR_MARKER = 254;
const MAX_DTYPE_BYTE = 7;

/** The shape in a TensorContainer header, without reading the payload (Python `tensor_container_shape`). */
export function tensorContainerShape(data: Uint8Array): number[] {
  const fail = (message: string): never => {
    throw ValidationError.field('model input', '/dmel', 'tensor-container', message);
  };
  if (data.byteLength === 0) fail('TensorContainer bytes are empty');
  let offset = 0;
  if (data[offset] === CONSTANT_TENSOR_MARKER) {
    offset++;
    if (offset >= data.byteLength) fail('Truncated TensorContainer header');
  }
  const dtype = data[offset++];
  if (dtype > MAX_DTYPE_BYTE) fail(`Unknown TensorContainer dtype byte: ${dtype}`);
  const varint = (): number => {
    let value = 0;
    // LEB128; a multiplier rather than bit shifts, which JS limits to 32 bits.
    for (let shift = 0, scale = 1; ; shift += 7, scale *= 128) {
      if (shift > 63) fail('TensorContainer varint is too long');
      if (offset >= data.byteLength) fail('Truncated TensorContainer header');
      const byte = data[offset++];
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return value;
    }
  };
  const ndim = varint();
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(varint());
  return shape;
}

/** Length in tokens of a dmel chunk: the first dimension of its tensor. */
export function dmelLength(chunk: { dmel: string }): number {
  const shape = tensorContainerShape(Buffer.from(chunk.dmel, 'base64'));
  if (shape.length === 0)
    throw ValidationError.field(
      'model input',
      '/dmel',
      'tensor-container',
      'TensorContainer tensor has no dimension 0',
    );
  return shape[0];
}
