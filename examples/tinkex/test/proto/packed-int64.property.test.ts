import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { unpackInt64 } from '../../src/proto/packed.js';

/** Little-endian int64 bytes at an odd offset (protobuf hands out unaligned slices of the body). */
function unalignedBytes(values: bigint[]): Uint8Array {
  const buffer = new Uint8Array(values.length * 8 + 1);
  const view = new DataView(buffer.buffer, 1);
  values.forEach((v, i) => view.setBigInt64(i * 8, v, true));
  return buffer.subarray(1);
}

describe('unpackInt64 (offsets, sparse indices, int64 outputs)', () => {
  it('reads every int64 exactly as Number(bigint) does, negative and beyond 2^53 included', () => {
    const edges = [0n, -1n, 1n, 2n ** 31n, -(2n ** 31n), 2n ** 32n - 1n, 2n ** 53n + 1n, -(2n ** 53n) - 3n];
    const anyInt64 = fc.oneof(
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      fc.constantFrom(...edges),
    );
    fc.assert(
      fc.property(fc.array(anyInt64, { maxLength: 40 }), (values) => {
        expect(unpackInt64(unalignedBytes(values))).toEqual(values.map(Number));
      }),
    );
  });

  it('refuses a length that is not a whole number of 8-byte values', () => {
    expect(() => unpackInt64(new Uint8Array(12), 'offsets')).toThrow(/offsets: 12 bytes/);
  });
});
