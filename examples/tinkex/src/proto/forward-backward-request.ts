import { create } from 'pristine-kernel/protobuf';
import { ValidationError } from 'pristine-kernel';
import type { Datum } from '../types/datum.js';
import type { ModelInputChunk } from '../types/model-input.js';
import type { TensorDataWire } from '../types/tensor-data.js';
import {
  ChunkSchema,
  DatumSchema,
  DType,
  ForwardBackwardRequestSchema,
  TensorSchema,
  type Chunk,
  type ForwardBackwardRequest,
  type Tensor,
} from './gen/tinker_public_pb.js';
import { packFloat32, packInt32, packInt64 } from './packed.js';

/** One `forward` / `forward_backward` chunk as the 0.25 protocol sends it. */
export interface ForwardBackwardCall {
  model_id: string;
  seq_id: number;
  data: readonly Datum[];
  loss_fn: string;
  loss_fn_config?: Record<string, number> | null;
  forward_only: boolean;
}

/**
 * Build the protobuf `ForwardBackwardRequest` of tinker-wire-0.25.md §6 from already-validated data:
 * tokens as int32, dense tensors in their dtype, sparse tensors as CSR with int64 indices.
 */
export function forwardBackwardRequest(call: ForwardBackwardCall): ForwardBackwardRequest {
  return create(ForwardBackwardRequestSchema, {
    modelId: call.model_id,
    seqId: call.seq_id,
    data: call.data.map((datum, i) =>
      create(DatumSchema, {
        modelInput: datum.model_input.chunks.map((chunk, j) =>
          protoChunk(chunk, `/data/${i}/model_input/chunks/${j}`),
        ),
        lossFnInputs: Object.fromEntries(
          Object.entries(datum.loss_fn_inputs).map(([name, tensor]) => [name, protoTensor(tensor)]),
        ),
      }),
    ),
    lossFn: call.loss_fn,
    lossFnConfig: call.loss_fn_config ?? {},
    forwardOnly: call.forward_only,
  });
}

function protoChunk(chunk: ModelInputChunk, where: string): Chunk {
  if ('tokens' in chunk) {
    return create(ChunkSchema, {
      chunk: { case: 'encodedText', value: { tokens: packInt32(chunk.tokens) } },
    });
  }
  if ('data' in chunk) {
    return create(ChunkSchema, {
      chunk: {
        case: 'image',
        value: {
          data: Buffer.from(chunk.data, 'base64'),
          format: chunk.format,
          ...(chunk.expected_tokens == null ? {} : { expectedTokens: chunk.expected_tokens }),
        },
      },
    });
  }
  if ('dmel' in chunk) {
    return create(ChunkSchema, {
      chunk: { case: 'dmel', value: { dmel: Buffer.from(chunk.dmel, 'base64') } },
    });
  }
  // The official 0.25 client refuses these too: the protobuf request has no image-pointer chunk.
  throw ValidationError.field(
    'training data',
    where,
    'protocol',
    'image_asset_pointer chunks cannot be sent to forward/forward_backward in protocol 0.25; send the image bytes',
  );
}

function protoTensor(tensor: TensorDataWire): Tensor {
  const dtype = tensor.dtype === 'int64' ? DType.DTYPE_INT64 : DType.DTYPE_FLOAT32;
  const pack = tensor.dtype === 'int64' ? packInt64 : packFloat32;
  const crow = tensor.sparse_crow_indices;
  if (crow != null) {
    return create(TensorSchema, {
      encoding: {
        case: 'sparseCsr',
        value: {
          values: pack(tensor.data),
          crowIndices: packInt64(crow),
          colIndices: packInt64(tensor.sparse_col_indices ?? []),
        },
      },
      dtype,
      shape: (tensor.shape ?? []).map(BigInt),
    });
  }
  return create(TensorSchema, {
    encoding: { case: 'dense', value: pack(tensor.data) },
    dtype,
    shape: (tensor.shape ?? [tensor.data.length]).map(BigInt),
  });
}
