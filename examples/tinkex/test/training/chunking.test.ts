import { describe, expect, it } from '@jest/globals';
import { chunkData, estimateDatumBytes, MAX_CHUNK_BYTES } from '../../src/training/chunking.js';
import { datum } from '../../src/types/datum.js';
import { imageChunk, ModelInput } from '../../src/types/model-input.js';

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

  it('takes custom limits and estimators', () => {
    expect(chunkData([text(1), text(1), text(1)], { maxLen: 2 }).map((c) => c.length)).toEqual([2, 1]);
    expect(chunkData([text(1), text(1)], { maxBytes: 1, estimate: () => 1 }).map((c) => c.length)).toEqual([
      1, 1,
    ]);
  });
});
