import zlib from 'node:zlib';
import { Decompress } from 'fzstd';

/** Decompressed bodies above this are refused (a zstd frame can claim any size). */
export const MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

type ZstdZlib = { zstdDecompressSync?: (data: Buffer, options?: { maxOutputLength?: number }) => Buffer };

/** node:zlib's zstd (Node ≥ 22.15 / 23.8), undefined on older Nodes. */
export const nodeZstdDecompress = (zlib as unknown as ZstdZlib).zstdDecompressSync;

/** A body that decompresses to more than `MAX_DECOMPRESSED_BYTES` (node:zlib's code for the same). */
export class TooLargeError extends RangeError {
  readonly code = 'ERR_BUFFER_TOO_LARGE';
}

/**
 * The pure-JS decoder (fzstd) used where node:zlib has no zstd. Streamed block by block and stopped at
 * the bound: fzstd's one-shot `decompress` allocates whatever size the frames claim before any check.
 */
export function fzstdDecompressBody(data: Buffer): Buffer {
  const parts: Uint8Array[] = [];
  let size = 0;
  new Decompress((chunk) => {
    size += chunk.byteLength;
    if (size > MAX_DECOMPRESSED_BYTES) throw new TooLargeError('decompressed body is too large');
    parts.push(chunk);
  }).push(data, true);
  return Buffer.concat(parts, size);
}

/** Decompress one `Content-Encoding: zstd` body with node:zlib where Node has it, else with fzstd. */
export function decompressZstd(data: Buffer): Buffer {
  return nodeZstdDecompress
    ? nodeZstdDecompress(data, { maxOutputLength: MAX_DECOMPRESSED_BYTES })
    : fzstdDecompressBody(data);
}
