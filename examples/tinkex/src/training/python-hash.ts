/**
 * CPython's (3.8+, 64-bit) `hash()` of a tuple of ints, ported exactly so `hash_unordered` metrics
 * merge to the same value as in the Python SDK. BigInt arithmetic modulo 2^64.
 */
const MASK = (1n << 64n) - 1n;
const MODULUS = (1n << 61n) - 1n; // sys.hash_info.modulus
const XXPRIME_1 = 11400714785074694791n;
const XXPRIME_2 = 14029467366897019727n;
const XXPRIME_5 = 2870177450012600261n;

/** `hash(n)` for a Python int: n mod (2^61 − 1) keeping the sign, with −1 reserved (→ −2). */
export function pythonIntHash(n: bigint): bigint {
  const magnitude = (n < 0n ? -n : n) % MODULUS;
  const h = n < 0n ? -magnitude : magnitude;
  return h === -1n ? -2n : h;
}

/** `hash(tuple(items))` (CPython's xxHash-based tuplehash), as a signed 64-bit value. */
export function pythonTupleHash(items: readonly bigint[]): bigint {
  let acc = XXPRIME_5;
  for (const item of items) {
    const lane = BigInt.asUintN(64, pythonIntHash(item));
    acc = (acc + lane * XXPRIME_2) & MASK;
    acc = ((acc << 31n) | (acc >> 33n)) & MASK;
    acc = (acc * XXPRIME_1) & MASK;
  }
  acc = (acc + (BigInt(items.length) ^ (XXPRIME_5 ^ 3527539n))) & MASK;
  if (acc === MASK) return 1546275796n;
  return BigInt.asIntN(64, acc);
}
