/**
 * Whether `prefix` would split one limiter's keys over hash slots. Redis Cluster hashes only the first
 * `{…}` of a key, and the whole key when that first tag is empty (`{}`). The link's keys are
 * `prefix{rate:bucket}` and `prefix{rate:bucket}:free` (one slot by their own tag), so a prefix is
 * harmless if its first `{` opens a tag it closes (`{fleet}:`: every key of the fleet on one slot) or
 * one our tag closes (`a{`); only a first `{` closed at once, `{}`, makes each key hash whole and a
 * script's keys land on different slots (CROSSSLOT at the first call).
 */
export function keyPrefixSplitsSlots(prefix: string): boolean {
  const open = prefix.indexOf('{');
  return open !== -1 && prefix[open + 1] === '}';
}

/** Why such a prefix is refused, for a ValidationError or a RangeError. */
export const SPLIT_PREFIX_RULE =
  "must not have an empty hash tag '{}' at its first '{': Redis Cluster would hash each whole key, putting one limiter's keys on different slots";
