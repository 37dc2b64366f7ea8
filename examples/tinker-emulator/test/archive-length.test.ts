import { describe, expect, it } from '@jest/globals';
import { list } from 'tar';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { client, openModel, withEmulator } from './helpers.js';

/** Every entry of a tar file with its size, read back with node-tar. */
async function entries(tarBytes: Buffer): Promise<Record<string, number>> {
  const dir = await mkdtemp(join(tmpdir(), 'emu-archive-'));
  try {
    await writeFile(join(dir, 'a.tar'), tarBytes);
    const found: Record<string, number> = {};
    await list({ file: join(dir, 'a.tar'), onReadEntry: (entry) => (found[entry.path] = entry.size ?? 0) });
    return found;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('checkpoint archive download', () => {
  // Odd sizes on purpose: the length must count each file's padding to the 512-byte block.
  it.each([0, 1, 511, 512, 3_000_001])(
    'declares the Content-Length of the tar it sends (padding %d bytes)',
    async (paddingBytes) => {
      await withEmulator({ seed: 3, archivePaddingBytes: paddingBytes }, async (emu) => {
        const api = client(emu);
        const { modelId } = await openModel(api, 4);
        await api.submit('save_weights', { model_id: modelId, path: 'c1', seq_id: 1 });
        const run = encodeURIComponent(modelId).replace(/%3A/g, ':');
        const redirect = await api.call('GET', `/api/v1/training_runs/${run}/checkpoints/weights/c1/archive`);
        const response = await fetch(redirect.headers.get('location')!);
        const body = Buffer.from(await response.arrayBuffer());

        expect(Number(response.headers.get('content-length'))).toBe(body.length);
        const files = await entries(body);
        expect(Object.keys(files).sort()).toEqual(
          ['adapter_config.json', 'adapter_model.safetensors', 'checkpoint_complete']
            .concat(paddingBytes > 0 ? ['padding.bin'] : [])
            .sort(),
        );
        if (paddingBytes > 0) expect(files['padding.bin']).toBe(paddingBytes);
      });
    },
  );
});
