import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import * as tar from 'tar';
import type { CheckpointRecord } from './state.js';

/** The files a checkpoint archive holds: a PEFT-style adapter config and the adapter weights. */
export function checkpointFiles(checkpoint: CheckpointRecord): Record<string, Buffer> {
  const config = {
    base_model_name_or_path: checkpoint.base_model,
    peft_type: 'LORA',
    r: checkpoint.lora_rank,
    tinker_path: checkpoint.tinker_path,
    format: 'tinkex-emulator-byte-lora/1',
  };
  const weights = { u: Array.from(checkpoint.adapter.u), v: Array.from(checkpoint.adapter.v) };
  return {
    'adapter_config.json': Buffer.from(JSON.stringify(config, null, 2)),
    'adapter_model.json': Buffer.from(JSON.stringify(weights)),
  };
}

/** The zero-filled file `archivePaddingBytes` adds to every archive. */
export const PADDING_FILE = 'padding.bin';

/**
 * Stream a real gzip-less tar of the checkpoint's files (built with node-tar from a temp dir). With
 * `paddingBytes`, a zero-filled `padding.bin` of that size is added: a sparse file, streamed by tar, so
 * the emulator can serve multi-GB archives for download benchmarks without holding them in memory.
 */
export async function sendArchive(
  res: ServerResponse,
  checkpoint: CheckpointRecord,
  paddingBytes = 0,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tinkex-emu-'));
  try {
    const files = checkpointFiles(checkpoint);
    await Promise.all(Object.entries(files).map(([name, data]) => writeFile(join(dir, name), data)));
    const names = Object.keys(files);
    if (paddingBytes > 0) {
      await writeFile(join(dir, PADDING_FILE), '');
      await truncate(join(dir, PADDING_FILE), paddingBytes);
      names.push(PADDING_FILE);
    }
    res.writeHead(200, { 'content-type': 'application/x-tar' });
    const stream = tar.c({ cwd: dir, portable: true }, names);
    await new Promise<void>((resolve, reject) => {
      stream.on('error', reject);
      stream.on('end', resolve);
      stream.pipe(res);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
