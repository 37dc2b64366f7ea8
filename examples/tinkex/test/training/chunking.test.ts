import { describe, expect, it } from '@jest/globals';
import {
  chunkData,
  estimateChunkBytes,
  estimateDatumBytes,
  MAX_CHUNK_BYTES,
} from '../../src/training/chunking.js';
import { datum } from '../../src/types/datum.js';
import { imageAssetPointerChunk, imageChunk, ModelInput } from '../../src/types/model-input.js';

const text = (tokens: number) =>
  datum(new Array(tokens).fill(1), {
    target_tokens: new Array(tokens).fill(1),
    weights: new Array(tokens).fill(1),
  });

describe('chunkData', () => {
  it('estimates as the JSON-protocol SDKs: 10 bytes a token and a loss value, images by payload', () => {
    expect(estimateDatumBytes(text(7))).toBe(7 * 10 + 7 * 10 + 7 * 10);
    const img = datum(ModelInput.fromInts([1]).append(imageChunk('QUJDRA==', 'png', 3)), {});
    expect(estimateDatumBytes(img)).toBe(10 + 'QUJDRA=='.length);
  });

  it('estimates an image pointer by its location and a dmel chunk by its base64 payload', () => {
    const pointer = imageAssetPointerChunk('tinker://run-1/images/cat.png', 'png', 3);
    expect(estimateChunkBytes(pointer)).toBe('tinker://run-1/images/cat.png'.length);
    expect(estimateChunkBytes({ dmel: 'QUJDRA==', type: 'dmel' })).toBe('QUJDRA=='.length);
  });

  it('holds 5,000,000 estimated bytes per chunk by default, not a byte more', () => {
    const half = text(1);
    const one = text(1);
    const estimate = (d: unknown) => (d === one ? 1 : 2_500_000);
    expect(chunkData([half, half], { estimate }).map((c) => c.length)).toEqual([2]);
    expect(chunkData([half, half, one], { estimate }).map((c) => c.length)).toEqual([2, 1]);
  });

  it('splits in order at 1024 datums', () => {
    const data = Array.from({ length: 2049 }, () => text(1));
    const chunks = chunkData(data);
    expect(chunks.map((c) => c.length)).toEqual([1024, 1024, 1]);
    expect(chunks.flat()).toEqual(data);
  });

  it('closes a chunk before a datum that would pass the byte budget; an oversized datum travels alone', () => {
    const third = text(Math.floor(MAX_CHUNK_BYTES / 30 / 3)); // ≈ 1/3 of the budget
    const huge = text(Math.ceil(MAX_CHUNK_BYTES / 30) + 1); // > budget on its own
    const chunks = chunkData([third, third, third, huge, third]);
    expect(chunks.map((c) => c.length)).toEqual([3, 1, 1]);
    expect(chunks[1][0]).toBe(huge);
  });

  it('fills a chunk up to exactly the byte budget: only a datum that would pass it opens the next', () => {
    // The SDK's rule is `chunk_bytes + est > max_chunk_bytes` (tinker-wire-0.25.md): equal still fits.
    const data = Array.from({ length: 5 }, () => text(1));
    const chunks = chunkData(data, { maxBytes: 2, estimate: () => 1 });
    expect(chunks.map((c) => c.length)).toEqual([2, 2, 1]);
    expect(chunks.flat()).toEqual(data);
  });

  it('sends an oversized first datum alone, with no empty chunk before it', () => {
    const huge = text(3);
    const small = text(1);
    const chunks = chunkData([huge, small, small], { maxBytes: 2, estimate: (d) => (d === huge ? 3 : 1) });
    expect(chunks).toEqual([[huge], [small, small]]);
  });

  it('gives no chunk for no data', () => {
    expect(chunkData([])).toEqual([]);
  });

  it('takes custom limits and estimators', () => {
    expect(chunkData([text(1), text(1), text(1)], { maxLen: 2 }).map((c) => c.length)).toEqual([2, 1]);
    expect(chunkData([text(1), text(1)], { maxBytes: 1, estimate: () => 1 }).map((c) => c.length)).toEqual([
      1, 1,
    ]);
  });
});
