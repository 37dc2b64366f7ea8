import { Decompress } from 'fzstd';

/**
 * Streaming zstd decoding in pure JavaScript (fzstd), for Node versions without
 * `zlib.createZstdDecompress`. Yields each decoded piece as it is produced; a corrupt frame throws.
 * fzstd decodes a whole input chunk in one call (a few KB of RLE blocks are gigabytes), so once one
 * input chunk decodes to more than `maxBytes` it throws from inside that call instead of collecting the
 * rest. The bound is on what is held at once, not on the body: a long-lived stream decodes any total
 * (the kernel bounds a whole body's total itself).
 */
export async function* zstdDecodeStream(
  body: AsyncIterable<Uint8Array>,
  maxBytes = Infinity,
): AsyncIterable<Uint8Array> {
  const pending: Uint8Array[] = [];
  let size = 0;
  const decoder = new Decompress((data) => {
    size += data.byteLength;
    if (size > maxBytes) throw tooLarge(maxBytes);
    pending.push(data);
  });
  for await (const chunk of body) {
    size = 0; // what the last chunk decoded to has been handed on
    decoder.push(chunk);
    for (let out = pending.shift(); out !== undefined; out = pending.shift()) yield out;
  }
  size = 0;
  decoder.push(new Uint8Array(0), true);
  for (let out = pending.shift(); out !== undefined; out = pending.shift()) yield out;
}

/** node:zlib's code for output past `maxOutputLength`; the kernel reads it as its size bound. */
function tooLarge(maxBytes: number): RangeError {
  return Object.assign(new RangeError(`a zstd chunk decodes to more than ${maxBytes} bytes`), {
    code: 'ERR_BUFFER_TOO_LARGE',
  });
}
