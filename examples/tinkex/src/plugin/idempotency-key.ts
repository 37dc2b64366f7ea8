import { randomFillSync } from 'node:crypto';

/** The openai/stainless SDKs' idempotency key: this prefix and a random (version 4) UUID. */
const PREFIX = 'stainless-node-retry-';
/** Where the two hex digits of each of the UUID's 16 bytes go, after the prefix. */
const SLOTS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34].map((at) => PREFIX.length + at);
const HEX = Buffer.from('0123456789abcdef', 'latin1');
/** Random bytes for 256 keys, refilled when spent (as `randomUUID` buffers its entropy). */
const pool = Buffer.alloc(16 * 256);
let used = pool.length;
/** The key being written: the prefix and dashes stay, the hex digits are overwritten per key. */
const key = Buffer.from(`${PREFIX}00000000-0000-4000-8000-000000000000`, 'latin1');

/**
 * `stainless-node-retry-${randomUUID()}`, written into one buffer and read out as one string. Every call
 * and poll sends one: the template and `randomUUID` (which joins 20 pieces) made about 0.4 KB of
 * short-lived strings per key, 0.8 KB per sample in the sampling fan-out (docs/performance.md).
 */
export function idempotencyKey(): string {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  for (let i = 0; i < 16; i++) {
    let byte = pool[used + i];
    // RFC 9562: version 4 in byte 6's high nibble, variant 10 in byte 8's two high bits.
    if (i === 6) byte = (byte & 0x0f) | 0x40;
    else if (i === 8) byte = (byte & 0x3f) | 0x80;
    key[SLOTS[i]] = HEX[byte >> 4];
    key[SLOTS[i] + 1] = HEX[byte & 0x0f];
  }
  used += 16;
  return key.toString('latin1');
}
