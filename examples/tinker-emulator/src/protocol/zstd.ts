import zlib from 'node:zlib';
import { decompress as fzstdDecompress } from 'fzstd';

/** Decompressed bodies above this are refused (a zstd frame can claim any size). */
export const MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

type ZstdZlib = { zstdDecompressSync?: (data: Buffer, options?: { maxOutputLength?: number }) => Buffer };

/** node:zlib's zstd (Node ≥ 22.15 / 23.8), undefined on older Nodes. */
export const nodeZstdDecompress = (zlib as unknown as ZstdZlib).zstdDecompressSync;

/** The pure-JS decoder (fzstd) used where node:zlib has no zstd. */
export function fzstdDecompressBody(data: Buffer): Buffer {
  const out = fzstdDecompress(data);
  if (out.byteLength > MAX_DECOMPRESSED_BYTES) throw new RangeError('decompressed body is too large');
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** Decompress one `Content-Encoding: zstd` body with node:zlib where Node has it, else with fzstd. */
export function decompressZstd(data: Buffer): Buffer {
  return nodeZstdDecompress
    ? nodeZstdDecompress(data, { maxOutputLength: MAX_DECOMPRESSED_BYTES })
    : fzstdDecompressBody(data);
}
