import { mkdtemp, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import * as tar from 'tar';
import type { CheckpointRecord } from './state.js';

/**
 * The files a checkpoint archive holds, as Tinker's do: a PEFT adapter config, the adapter weights as
 * safetensors (`adapter_model.safetensors`, tensors `u` and `v`, F32) and the empty `checkpoint_complete`
 * marker that says the upload finished (what `tinker checkpoint push-hf` requires).
 */
export function checkpointFiles(checkpoint: CheckpointRecord): Record<string, Buffer> {
  const config = {
    base_model_name_or_path: checkpoint.base_model,
    peft_type: 'LORA',
    r: checkpoint.lora_rank,
    tinker_path: checkpoint.tinker_path,
    format: 'tinkex-emulator-byte-lora/1',
  };
  const { u, v, rank } = checkpoint.adapter;
  return {
    'adapter_config.json': Buffer.from(JSON.stringify(config, null, 2)),
    'adapter_model.safetensors': safetensors({
      u: [u, [u.length / rank, rank]],
      v: [v, [rank, v.length / rank]],
    }),
    checkpoint_complete: Buffer.alloc(0),
  };
}

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header (name → dtype, shape,
 * byte offsets into the data), padded with spaces to 8 bytes, then the raw little-endian data.
 */
export function safetensors(tensors: Record<string, [Float32Array, number[]]>): Buffer {
  const header: Record<string, unknown> = {};
  const data: Buffer[] = [];
  let offset = 0;
  for (const [name, [values, shape]] of Object.entries(tensors)) {
    const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + bytes.length] };
    data.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  return Buffer.concat([length, Buffer.from(json), ...data]);
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
    const sizes = await Promise.all(names.map(async (name) => (await stat(join(dir, name))).size));
    // A signed storage URL answers with its object's length, so a client can show real progress.
    res.writeHead(200, { 'content-type': 'application/x-tar', 'content-length': tarLength(sizes) });
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

/**
 * The length of the ustar archive node-tar writes for regular files of these sizes: a 512-byte header
 * and the content padded to 512 bytes per file, then two zero blocks. Valid for the short ASCII names
 * used here (no pax headers); the archive test checks it against the bytes actually sent.
 */
function tarLength(sizes: readonly number[]): number {
  const BLOCK = 512;
  return sizes.reduce((total, size) => total + BLOCK + Math.ceil(size / BLOCK) * BLOCK, 2 * BLOCK);
}
