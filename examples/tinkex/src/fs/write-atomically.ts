import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Write `body` to `path` through `staging`, a file of the caller's own naming next to it, created
 * exclusively ('wx') and renamed into place only once complete: a cut write leaves neither a half file
 * that looks complete nor the staging file, and never overwrites or deletes a file it did not create.
 */
export async function writeAtomically(
  path: string,
  staging: string,
  body: Readable,
  signal?: AbortSignal,
): Promise<void> {
  try {
    await pipeline(body, createWriteStream(staging, { flags: 'wx' }), signal ? { signal } : {});
    await rename(staging, path);
  } catch (error) {
    await rm(staging, { force: true });
    throw error;
  }
}
