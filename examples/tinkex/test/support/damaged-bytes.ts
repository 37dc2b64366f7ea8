import fc from 'fast-check';

/** How to damage a message: byte edits, bytes appended, a cut point. */
export const damage = fc.tuple(
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
  fc.uint8Array({ maxLength: 12 }),
  fc.nat(),
);

/**
 * Three variants of `bytes` a hand reader must treat exactly as protobuf-es does (same message or same
 * error): edited and extended, truncated, and the message twice (repeated fields, later scalars win).
 */
export function damagedVariants(
  bytes: Uint8Array,
  [edits, tail, cut]: [Array<[number, number]>, Uint8Array, number],
): Uint8Array[] {
  const damaged = Uint8Array.from([...bytes, ...tail]);
  for (const [at, value] of edits) if (damaged.length > 0) damaged[at % damaged.length] = value;
  return [damaged, bytes.subarray(0, cut % (bytes.length + 1)), Uint8Array.from([...bytes, ...bytes])];
}
