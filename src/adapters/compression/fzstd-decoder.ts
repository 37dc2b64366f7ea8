import { Decompress } from 'fzstd';

/**
 * Streaming zstd decoding in pure JavaScript (fzstd), for Node versions without
 * `zlib.createZstdDecompress`. Yields each decoded piece as it is produced; a corrupt frame throws.
 * fzstd decodes a whole input chunk in one call (a few KB of RLE blocks are gigabytes), so past
 * `maxBytes` decoded bytes it throws from inside that call instead of collecting the rest.
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
    decoder.push(chunk);
    for (let out = pending.shift(); out !== undefined; out = pending.shift()) yield out;
  }
  decoder.push(new Uint8Array(0), true);
  for (let out = pending.shift(); out !== undefined; out = pending.shift()) yield out;
}

/** node:zlib's code for output past `maxOutputLength`; the kernel reads it as its size bound. */
function tooLarge(maxBytes: number): RangeError {
  return Object.assign(new RangeError(`the zstd body decodes to more than ${maxBytes} bytes`), {
    code: 'ERR_BUFFER_TOO_LARGE',
  });
}
