import { randomFillSync } from 'node:crypto';

/** Where the two hex digits of each of a UUID's 16 bytes go, from the UUID's first character. */
const SLOTS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const HEX = Buffer.from('0123456789abcdef', 'latin1');
const POOL_BYTES = 16 * 256;
/**
 * Random bytes for 256 keys, refilled when spent (as `randomUUID` buffers its entropy), shared by every
 * generator. Allocated on the first key: a kernel whose calls send none never holds it.
 */
let pool: Buffer | undefined;
let used = POOL_BYTES;

/**
 * A generator of idempotency keys: `prefix` and a random (version 4) UUID, the format of
 * `${prefix}${randomUUID()}`. Each key is written into the generator's one buffer and read out as one
 * string: the template and `randomUUID` (which joins 20 pieces) made about 0.4 KB of short-lived strings
 * per key, and every call and poll sends one (0.8 KB per sample in a sampling fan-out).
 *
 * `prefix` must be printable ASCII (plugin registration checks `headers.idempotency.prefix`).
 */
export function idempotencyKeys(prefix = ''): () => string {
  const slots = SLOTS.map((at) => prefix.length + at);
  /** The prefix and dashes stay; the hex digits are overwritten per key. */
  const key = Buffer.from(`${prefix}00000000-0000-4000-8000-000000000000`, 'latin1');
  return () => {
    let bytes = pool;
    if (bytes === undefined || used === POOL_BYTES) {
      bytes = pool = randomFillSync(bytes ?? Buffer.alloc(POOL_BYTES));
      used = 0;
    }
    for (let i = 0; i < 16; i++) {
      let byte = bytes[used + i];
      // RFC 9562: version 4 in byte 6's high nibble, variant 10 in byte 8's two high bits.
      if (i === 6) byte = (byte & 0x0f) | 0x40;
      else if (i === 8) byte = (byte & 0x3f) | 0x80;
      key[slots[i]] = HEX[byte >> 4];
      key[slots[i] + 1] = HEX[byte & 0x0f];
    }
    used += 16;
    return key.toString('latin1');
  };
}

/** The kernel's default key (no prefix): a bare version-4 UUID, as `randomUUID()` gave. */
export const idempotencyKey = idempotencyKeys();

/** The generator a plugin's `headers.idempotency` asks for: the default one unless it sets a prefix. */
export function idempotencyKeysFor(scheme: { prefix?: string } | false | undefined): () => string {
  return scheme && scheme.prefix ? idempotencyKeys(scheme.prefix) : idempotencyKey;
}
