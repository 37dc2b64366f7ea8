import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { DTYPE, readPacked, toNumber, writePacked } from '../src/protocol/proto.js';

/** int64 values as numbers, the safe range and beyond it (where the packing falls back to BigInt). */
const int64 = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  // Up to 2^62 as numbers: Number(2^63 - 1) rounds to 2^63, which neither way can write.
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 62n }).map(Number),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }),
);

const LongOf = protobuf.util.Long as unknown as new (
  low: number,
  high: number,
) => { toString(): string; toNumber(): number };

describe('the emulator packs int64 values as BigInt would, without a BigInt per value', () => {
  it('writePacked(INT64) writes the bytes of BigInt64 (truncated toward zero), readPacked reads Number(bigint)', () => {
    fc.assert(
      fc.property(fc.array(int64, { maxLength: 20 }), (values) => {
        const reference = Buffer.alloc(values.length * 8);
        values.forEach((v, i) => {
          const t = Math.trunc(v);
          // The 64-bit two's complement of the value (what writeBigInt64LE writes for in-range values).
          reference.writeBigUInt64LE(BigInt.asUintN(64, BigInt(t)), i * 8);
        });
        const packed = writePacked(values, DTYPE.INT64);
        expect(packed).toEqual(reference);
        const back = Array.from({ length: values.length }, (_, i) => Number(reference.readBigInt64LE(i * 8)));
        expect(readPacked(packed, DTYPE.INT64)).toEqual(back);
      }),
      { numRuns: 300 },
    );
  });

  it('writePacked(FLOAT32, INT32, BFLOAT16) writes every byte as a DataView would (nothing left of a reused buffer)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double(), { maxLength: 40 }),
        fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 40 }),
        (floats, ints) => {
          // Fill Node's shared pool with garbage first: a byte left unwritten would show.
          Buffer.allocUnsafe(4096).fill(0xa5);
          const f32 = new DataView(new ArrayBuffer(floats.length * 4));
          floats.forEach((v, i) => f32.setFloat32(i * 4, v, true));
          expect(writePacked(floats, DTYPE.FLOAT32)).toEqual(Buffer.from(f32.buffer));
          const i32 = new DataView(new ArrayBuffer(ints.length * 4));
          ints.forEach((v, i) => i32.setInt32(i * 4, v, true));
          expect(writePacked(ints, DTYPE.INT32)).toEqual(Buffer.from(i32.buffer));
          // bf16: the float32's high half, rounded to nearest even; NaN as the quiet NaN.
          const bf16 = new DataView(new ArrayBuffer(floats.length * 2));
          floats.forEach((v, i) => {
            const bits = f32.getUint32(i * 4, true);
            const rounded = ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
            bf16.setUint16(i * 2, Number.isNaN(v) ? 0x7fc0 : rounded, true);
          });
          expect(writePacked(floats, DTYPE.BFLOAT16)).toEqual(Buffer.from(bf16.buffer));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('writePacked(FLOAT32, INT32) of any values and lengths writes what Buffer#writeFloatLE / writeInt32LE would, or throws as they do', () => {
    /** Each value through Node's own writers, as writePacked did value by value. */
    const reference = (values: number[], dtype: number): Buffer | string => {
      const out = Buffer.alloc(values.length * 4);
      try {
        values.forEach((v, i) =>
          dtype === DTYPE.FLOAT32 ? out.writeFloatLE(v, i * 4) : out.writeInt32LE(v, i * 4),
        );
        return out;
      } catch (error) {
        return `${(error as Error).name} ${(error as NodeJS.ErrnoException).code}`;
      }
    };
    const packed = (values: number[], dtype: number): Buffer | string => {
      try {
        return writePacked(values, dtype);
      } catch (error) {
        return `${(error as Error).name} ${(error as NodeJS.ErrnoException).code}`;
      }
    };
    // Integers in and beyond int32, fractions, NaN, ±∞, -0; short arrays (Node's pool) and long ones.
    const value = fc.oneof(
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      fc.double({ min: -(2 ** 31) - 2, max: 2 ** 31 + 1 }),
      fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 2 ** 31, -(2 ** 31) - 1, 2 ** 53),
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.array(value, { maxLength: 12 }), fc.array(value, { minLength: 1025, maxLength: 1100 })),
        (values) => {
          Buffer.allocUnsafe(4096).fill(0xa5);
          for (const dtype of [DTYPE.FLOAT32, DTYPE.INT32])
            expect(packed(values, dtype)).toEqual(reference(values, dtype));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('still refuses values BigInt refuses (NaN, ±∞)', () => {
    for (const bad of [Number.NaN, Infinity, -Infinity])
      expect(() => writePacked([bad], DTYPE.INT64)).toThrow(RangeError);
  });

  it('toNumber reads a Long as Number(its decimal) would', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (value) => {
        // What protobufjs decodes an int64 to: a Long of the two 32-bit halves.
        const long = new LongOf(Number(BigInt.asIntN(32, value)), Number(value >> 32n));
        expect(long.toString()).toBe(value.toString());
        expect(toNumber(long)).toBe(Number(long.toString()));
        expect(toNumber(Number(value))).toBe(Number(value));
      }),
      { numRuns: 300 },
    );
  });
});
