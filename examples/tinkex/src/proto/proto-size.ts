import type { ForwardBackwardRequest } from './gen/tinker_public_pb.js';
import type { Datum } from '../types/datum.js';
import type { ModelInputChunk } from '../types/model-input.js';

/** Bytes of a base64 payload once decoded (the protobuf request carries the raw bytes). */
function base64Bytes(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((text.length * 3) / 4) - padding);
}

/**
 * The 0.25 SDK's per-chunk estimate (`chunked_fwdbwd_helpers`): the size of the packed payload in the
 * protobuf request: 4 bytes a token, an image or dmel its raw bytes, an image pointer its location.
 */
export function protoChunkBytes(chunk: ModelInputChunk): number {
  if ('tokens' in chunk) return chunk.tokens.length * 4;
  if ('data' in chunk) return base64Bytes(chunk.data);
  if ('location' in chunk) return chunk.location.length;
  return base64Bytes(chunk.dmel);
}

/** Per-datum estimate: model input plus each loss input's bytes in its dtype (+ 8 per CSR index). */
export function protoDatumBytes(datum: Datum): number {
  let bytes = 0;
  for (const chunk of datum.model_input.chunks) bytes += protoChunkBytes(chunk);
  for (const tensor of Object.values(datum.loss_fn_inputs)) {
    bytes += tensor.data.length * (tensor.dtype === 'int64' ? 8 : 4);
    bytes += 8 * ((tensor.sparse_crow_indices?.length ?? 0) + (tensor.sparse_col_indices?.length ?? 0));
  }
  return bytes;
}

/** The same estimate read off a built `ForwardBackwardRequest` (what the dispatch byte budget charges). */
export function requestPayloadBytes(message: ForwardBackwardRequest): number {
  let bytes = 0;
  for (const datum of message.data) {
    for (const { chunk } of datum.modelInput) {
      if (chunk.case === 'encodedText') bytes += chunk.value.tokens.byteLength;
      else if (chunk.case === 'image') bytes += chunk.value.data.byteLength;
      else if (chunk.case === 'dmel') bytes += chunk.value.dmel.byteLength;
    }
    for (const tensor of Object.values(datum.lossFnInputs)) {
      const encoding = tensor.encoding;
      if (encoding.case === 'dense') bytes += encoding.value.byteLength;
      else if (encoding.case === 'sparseCsr')
        bytes +=
          encoding.value.values.byteLength +
          encoding.value.crowIndices.byteLength +
          encoding.value.colIndices.byteLength;
    }
  }
  return bytes;
}
