import { describe, expect, it } from '@jest/globals';
import { decompressZstd, fzstdDecompressBody, nodeZstdDecompress } from '../src/protocol/zstd.js';
import { fwdBwdRequest, protoDatum, zstd } from './support/proto.js';

const body = fwdBwdRequest({
  model_id: 'S:train:0',
  seq_id: 1,
  data: Array.from({ length: 50 }, (_, i) => protoDatum(`datum number ${i} `.repeat(5))),
  loss_fn: 'cross_entropy',
});

describe('zstd request bodies', () => {
  it('the pure-JS path (fzstd, used where node:zlib has no zstd) restores the exact bytes', async () => {
    const compressed = await zstd(body);
    expect(compressed.length).toBeLessThan(body.length);
    expect(fzstdDecompressBody(compressed).equals(body)).toBe(true);
    expect(decompressZstd(compressed).equals(body)).toBe(true);
  });

  // Node ≥ 22.15 / 23.8 only (the CI's Node 24 runs it; Node 20 has no zstd in node:zlib).
  (nodeZstdDecompress ? it : it.skip)('the node:zlib path restores the exact bytes', async () => {
    const compressed = await zstd(body);
    expect(nodeZstdDecompress!(compressed).equals(body)).toBe(true);
  });

  it('the pure-JS path stops a body above 256 MiB decompressed at the bound, as node:zlib does', async () => {
    const bomb = Buffer.concat(Array(300).fill(await zstd(Buffer.alloc(1 << 20))));
    expect(() => fzstdDecompressBody(bomb)).toThrow(
      expect.objectContaining({ code: 'ERR_BUFFER_TOO_LARGE' }),
    );
  });

  it('refuses data that is not a zstd frame', () => {
    expect(() => fzstdDecompressBody(Buffer.from('not zstd at all'))).toThrow();
  });
});
