import { Decompress } from 'fzstd';

/**
 * Streaming zstd decoding in pure JavaScript (fzstd), for Node versions without
 * `zlib.createZstdDecompress`. Yields each decoded piece as it is produced; a corrupt frame throws.
 * fzstd decodes a whole input chunk in one call (a few KB of RLE blocks are gigabytes), handing out one
 * block (at most 128 KiB) at a time, so the bound is checked per block, from inside that call, instead
 * of collecting the rest. On a stream (`whole` false) it bounds what one input chunk decodes to: what
 * the last chunk decoded to has been handed on, and a long-lived stream decodes any total. On a body
 * read whole the reader keeps everything, so the count runs over the whole body: what is held stays
 * under `maxBytes` plus one block, not twice the bound.
 */
export async function* zstdDecodeStream(
  body: AsyncIterable<Uint8Array>,
  maxBytes = Infinity,
  whole = false,
): AsyncIterable<Uint8Array> {
  const pending: Uint8Array[] = [];
  let size = 0;
  const decoder = new Decompress((data) => {
    size += data.byteLength;
    if (size > maxBytes) throw tooLarge(maxBytes, whole);
    pending.push(data);
  });
  for await (const chunk of body) {
    if (!whole) size = 0;
    decoder.push(chunk);
    for (let out = pending.shift(); out !== undefined; out = pending.shift()) yield out;
  }
  if (!whole) size = 0;
  decoder.push(new Uint8Array(0), true);
  for (let out = pending.shift(); out !== undefined; out = pending.shift()) yield out;
}

/** node:zlib's code for output past `maxOutputLength`; the kernel reads it as its size bound. */
function tooLarge(maxBytes: number, whole: boolean): RangeError {
  const what = whole ? 'body' : 'chunk';
  return Object.assign(new RangeError(`a zstd ${what} decodes to more than ${maxBytes} bytes`), {
    code: 'ERR_BUFFER_TOO_LARGE',
  });
}
