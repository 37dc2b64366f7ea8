import { describe, expect, it } from '@jest/globals';
import { lowerCased } from '../../src/kernel/request/lower-case.js';
import { mediaType } from '../../src/kernel/serialization/codec-registry.js';

// Both remember what they computed (a bounded map): the answers must not change with what came before.
describe('remembered header names and media types', () => {
  it('lower-cases header names the same on first sight, on later sights and past the memory bound', () => {
    for (let round = 0; round < 2; round++) {
      expect(lowerCased('X-Tinker-Request-Type')).toBe('x-tinker-request-type');
      expect(lowerCased('x-api-key')).toBe('x-api-key');
      expect(lowerCased('')).toBe('');
    }
    for (let i = 0; i < 1200; i++) expect(lowerCased(`X-Name-${i}`)).toBe(`x-name-${i}`);
    expect(lowerCased('X-Name-1199')).toBe('x-name-1199');
  });

  it('reads the media type without parameters, lower-cased, however often it is asked', () => {
    for (let round = 0; round < 2; round++) {
      expect(mediaType('Application/X-Protobuf; charset=x')).toBe('application/x-protobuf');
      expect(mediaType(' application/json ')).toBe('application/json');
      expect(mediaType('')).toBeUndefined();
      expect(mediaType(';q=1')).toBeUndefined();
      expect(mediaType(undefined)).toBeUndefined();
    }
    for (let i = 0; i < 600; i++) expect(mediaType(`Text/T${i};a=b`)).toBe(`text/t${i}`);
  });
});
