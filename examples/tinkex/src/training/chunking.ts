import type { Datum } from '../types/datum.js';
import type { ModelInputChunk, ModelInputWire } from '../types/model-input.js';

/** Server limits per forward/forward_backward request (`MAX_CHUNK_LEN`, `MAX_CHUNK_BYTES_COUNT`). */
export const MAX_CHUNK_LEN = 1024;
export const MAX_CHUNK_BYTES = 5_000_000;

/**
 * The JSON-protocol SDKs' (0.7.0–0.24.1) size estimate of one chunk: an image its base64 `data` length,
 * an image pointer its `location` length, anything else 10 bytes a token (roughly a JSON number).
 */
export function estimateChunkBytes(chunk: ModelInputChunk): number {
  if ('data' in chunk) return chunk.data.length;
  if ('location' in chunk) return chunk.location.length;
  if ('tokens' in chunk) return chunk.tokens.length * 10;
  // A dmel chunk's length is its frame count, unknown without decoding; its payload size bounds it.
  return chunk.dmel.length;
}

export function estimateModelInputBytes(model_input: ModelInputWire): number {
  let bytes = 0;
  for (const chunk of model_input.chunks) bytes += estimateChunkBytes(chunk);
  return bytes;
}

/** `TrainingClient._estimate_bytes_count`: the model input plus 10 bytes per loss-input value. */
export function estimateDatumBytes(datum: Datum): number {
  let bytes = estimateModelInputBytes(datum.model_input);
  for (const tensor of Object.values(datum.loss_fn_inputs)) bytes += tensor.data.length * 10;
  return bytes;
}

export interface ChunkOptions {
  maxLen?: number;
  maxBytes?: number;
  /** Per-datum size estimate; defaults to `estimateDatumBytes`. */
  estimate?: (datum: Datum) => number;
}

/**
 * `_chunked_requests_generator`: split greedily in order. A chunk is closed before a datum when it
 * already holds `maxLen` datums, or when it is non-empty and the datum would push its estimate past
 * `maxBytes`; so a datum bigger than the budget still travels, alone.
 */
export function chunkData(data: readonly Datum[], options: ChunkOptions = {}): Datum[][] {
  const { maxLen = MAX_CHUNK_LEN, maxBytes = MAX_CHUNK_BYTES, estimate = estimateDatumBytes } = options;
  const chunks: Datum[][] = [];
  let current: Datum[] = [];
  let currentBytes = 0;
  for (const datum of data) {
    const bytes = estimate(datum);
    if ((current.length > 0 && currentBytes + bytes > maxBytes) || current.length === maxLen) {
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
