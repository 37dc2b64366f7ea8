import type { Datum } from '../types/schemas.js';

export const MAX_CHUNK_LEN = 1024;
export const MAX_CHUNK_BYTES = 5_000_000;

/**
 * The Python SDK's per-datum byte estimate: text chunks 4 bytes a token, images their data or location
 * length, plus every loss input at its dtype size (8 for int64, 4 for float32).
 */
export function estimateDatumBytes(datum: Datum): number {
  let bytes = 0;
  for (const chunk of datum.model_input.chunks) {
    if ('tokens' in chunk) bytes += chunk.tokens.length * 4;
    else if (chunk.type === 'image') bytes += chunk.data.length;
    else bytes += chunk.location.length;
  }
  for (const tensor of Object.values(datum.loss_fn_inputs)) {
    bytes += tensor.data.length * (tensor.dtype === 'int64' ? 8 : 4);
  }
  return bytes;
}

/**
 * Split greedily, in order: a new chunk starts when the current one holds `maxLen` datums or the next
 * datum would push it past `maxBytes`. A single oversized datum gets a chunk of its own.
 */
export function chunkData(
  data: readonly Datum[],
  maxLen = MAX_CHUNK_LEN,
  maxBytes = MAX_CHUNK_BYTES,
): Datum[][] {
  const chunks: Datum[][] = [];
  let current: Datum[] = [];
  let currentBytes = 0;
  for (const datum of data) {
    const bytes = estimateDatumBytes(datum);
    if (current.length > 0 && (current.length >= maxLen || currentBytes + bytes > maxBytes)) {
      chunks.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(datum);
    currentBytes += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
