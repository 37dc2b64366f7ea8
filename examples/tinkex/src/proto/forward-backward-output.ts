import type { ForwardBackwardOutput as PublicOutput } from '../types/responses.js';
import type { TensorDataWire } from '../types/tensor-data.js';
import { DType, type BatchedTensor, type ForwardBackwardOutput } from './gen/tinker_public_pb.js';
import { numericView, plainArray, unpackInt64 } from './packed.js';

/** Bytes per value and how to read them, by wire dtype; bf16 widens to float32, int32 to int64. */
const READERS: Record<number, { width: number; dtype: 'float32' | 'int64'; wire: 'float32' | 'bfloat16' | 'int32' | 'int64' }> = {
  [DType.DTYPE_FLOAT32]: { width: 4, dtype: 'float32', wire: 'float32' },
  [DType.DTYPE_BFLOAT16]: { width: 2, dtype: 'float32', wire: 'bfloat16' },
  [DType.DTYPE_INT64]: { width: 8, dtype: 'int64', wire: 'int64' },
  [DType.DTYPE_INT32]: { width: 4, dtype: 'int64', wire: 'int32' },
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
    // A corrupt num_datums (2^62) would make this loop allocate until the process dies.
    if (count > MAX_DATUMS_PER_RECORD)
      throw new RangeError(
        `ForwardBackwardOutput record has num_datums ${count}, more than any request holds`,
      );
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

/**
 * More datums than one forward_backward request can hold (its chunks are `fwdbwd_max_chunk_len`, 1,024
 * by default), with room to spare: a record claiming more is corrupt.
 */
export const MAX_DATUMS_PER_RECORD = 1 << 20;

function datumsIn(tensor: BatchedTensor | undefined): number {
  return tensor ? Math.max(0, tensor.offsets.byteLength / 8 - 1) : 0;
}

/**
 * Slice `data` at the byte offsets; shape = [elements / prod(trailing), ...trailing]. The field is read
 * into one numeric view, then each datum's values are copied out as a plain array.
 */
function splitTensor(name: string, tensor: BatchedTensor): TensorDataWire[] {
  const reader = READERS[tensor.dtype];
  if (!reader)
    throw new RangeError(`ForwardBackwardOutput field "${name}" has unsupported dtype ${tensor.dtype}`);
  const offsets = unpackInt64(tensor.offsets, `${name} offsets`);
  const trailing = tensor.trailingShape.map(Number);
  const inner = trailing.reduce((a, b) => a * b, 1);
  const { width } = reader;
  // Byte offsets that fall between values (legal, if odd) are read datum by datum instead.
  const whole = offsets.every((offset) => offset % width === 0) && tensor.data.byteLength % width === 0;
  const view = whole ? numericView(tensor.data, reader.wire, name) : undefined;
  const out: TensorDataWire[] = [];
  for (let i = 0; i + 1 < offsets.length; i++) {
    const [from, to] = [offsets[i], offsets[i + 1]];
    if (from < 0 || to < from || to > tensor.data.byteLength)
      throw new RangeError(`ForwardBackwardOutput field "${name}" has offsets outside its data`);
    const data = view
      ? plainArray(view, from / width, (to - from) / width)
      : Array.from(numericView(tensor.data.subarray(from, to), reader.wire, name));
    const rows = inner === 0 ? 0 : data.length / inner;
    out.push({ data, dtype: reader.dtype, shape: [rows, ...trailing] });
  }
  return out;
}
