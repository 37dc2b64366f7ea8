import { Decompress } from 'fzstd';

/**
 * Streaming zstd decoding in pure JavaScript (fzstd), for Node versions without
 * `zlib.createZstdDecompress`. Yields each decoded piece as it is produced; a corrupt frame throws.
 */
export async function* zstdDecodeStream(body: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const pending: Uint8Array[] = [];
  const decoder = new Decompress((data) => {
    pending.push(data);
  });
  for await (const chunk of body) {
    decoder.push(chunk);
    for (let out = pending.shift(); out !== undefined; out = pending.shift()) yield out;
  }
  decoder.push(new Uint8Array(0), true);
  for (let out = pending.shift(); out !== undefined; out = pending.shift()) yield out;
}
