import { describe, expect, it } from '@jest/globals';
import { ValidationError } from 'pristine-kernel';
import { imageAssetPointerChunk, imageChunk, ModelInput } from '../../src/types/model-input.js';

describe('ModelInput', () => {
  it('serializes text as 0.7.0 does: {"chunks":[{"tokens":[...]}]}, no type field', () => {
    expect(JSON.stringify(ModelInput.fromInts([101, 2023]))).toBe('{"chunks":[{"tokens":[101,2023]}]}');
    expect(ModelInput.empty().toJSON()).toEqual({ chunks: [] });
  });

  it('appendInt adds a one-token chunk and leaves the original untouched, like append_int', () => {
    const a = ModelInput.fromInts([1, 2]);
    const b = a.appendInt(3);
    expect(b.toJSON().chunks).toEqual([{ tokens: [1, 2] }, { tokens: [3] }]);
    expect(a.length).toBe(2);
    expect(b.toInts()).toEqual([1, 2, 3]);
  });

  it('counts images by expected_tokens and refuses toInts() across an image', () => {
    const img = ModelInput.fromInts([1])
      .append(imageChunk(new Uint8Array([137, 80]), 'png', 4))
      .appendInt(2);
    expect(img.length).toBe(6);
    expect(img.chunks[1]).toEqual({ data: 'iVA=', format: 'png', expected_tokens: 4, type: 'image' });
    expect(() => img.toInts()).toThrow(ValidationError);
    const unknown = ModelInput.empty().append(imageAssetPointerChunk('s3://x.png', 'png'));
    expect(() => unknown.length).toThrow(/expected_tokens/);
  });

  it('rejects non-integer token ids', () => {
    expect(() => ModelInput.fromInts([1, 2.5])).toThrow(ValidationError);
    expect(() => ModelInput.fromInts([-1])).toThrow(ValidationError);
  });
});
