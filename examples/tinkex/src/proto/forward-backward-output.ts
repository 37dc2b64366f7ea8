import type { ForwardBackwardOutput as PublicOutput } from '../types/responses.js';
import type { TensorDataWire } from '../types/tensor-data.js';
import { DType, type BatchedTensor, type ForwardBackwardOutput } from './gen/tinker_public_pb.js';
import { unpackBfloat16, unpackFloat32, unpackInt32, unpackInt64 } from './packed.js';

/** Bytes per value and how to read them, by wire dtype; bf16 widens to float32, int32 to int64. */
const READERS: Record<number, { width: number; dtype: 'float32' | 'int64'; read: (b: Uint8Array) => number[] }> = {
  [DType.DTYPE_FLOAT32]: { width: 4, dtype: 'float32', read: unpackFloat32 },
  [DType.DTYPE_BFLOAT16]: { width: 2, dtype: 'float32', read: unpackBfloat16 },
  [DType.DTYPE_INT64]: { width: 8, dtype: 'int64', read: unpackInt64 },
  [DType.DTYPE_INT32]: { width: 4, dtype: 'int64', read: unpackInt32 },
}; // prettier-ignore

/**
 * A protobuf `ForwardBackwardOutput` (tinker-wire-0.25.md §8) as the public type the JSON protocol
 * gives: every record's per-datum slices concatenated in order, one `{field: TensorData}` per datum.
 */
export function forwardBackwardOutputFromProto(message: ForwardBackwardOutput): PublicOutput {
  const outputs: Record<string, TensorDataWire>[] = [];
  for (const record of message.lossFnOutputs) {
    const fields = Object.entries(record.fields);
    const count = record.numDatums > 0n ? Number(record.numDatums) : datumsIn(fields[0]?.[1]);
    const start = outputs.length;
    for (let i = 0; i < count; i++) outputs.push({});
    for (const [name, tensor] of fields) {
      splitTensor(name, tensor).forEach((value, i) => {
        if (i >= count)
          throw new RangeError(`ForwardBackwardOutput field "${name}" has more datums than num_datums`);
        outputs[start + i][name] = value;
      });
    }
  }
  const type = message.lossFnOutputType;
  return {
    // The SDK keeps the text after the last ':'; an empty type with no records means ArrayRecord.
    loss_fn_output_type: type ? type.slice(type.lastIndexOf(':') + 1) : 'ArrayRecord',
    loss_fn_outputs: outputs,
    metrics: { ...message.metrics },
  };
}

function datumsIn(tensor: BatchedTensor | undefined): number {
  return tensor ? Math.max(0, tensor.offsets.byteLength / 8 - 1) : 0;
}

/** Slice `data` at the byte offsets; shape = [elements / prod(trailing), ...trailing]. */
function splitTensor(name: string, tensor: BatchedTensor): TensorDataWire[] {
  const reader = READERS[tensor.dtype];
  if (!reader)
    throw new RangeError(`ForwardBackwardOutput field "${name}" has unsupported dtype ${tensor.dtype}`);
  const offsets = unpackInt64(tensor.offsets, `${name} offsets`);
  const trailing = tensor.trailingShape.map(Number);
  const inner = trailing.reduce((a, b) => a * b, 1);
  const out: TensorDataWire[] = [];
  for (let i = 0; i + 1 < offsets.length; i++) {
    const [from, to] = [offsets[i], offsets[i + 1]];
    if (from < 0 || to < from || to > tensor.data.byteLength)
      throw new RangeError(`ForwardBackwardOutput field "${name}" has offsets outside its data`);
    const data = reader.read(tensor.data.subarray(from, to));
    const rows = inner === 0 ? 0 : data.length / inner;
    out.push({ data, dtype: reader.dtype, shape: [rows, ...trailing] });
  }
  return out;
}
