import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  APIConnectionError,
  APIUserAbortError,
  abortErrorFor,
  PristineError,
  StreamIdleTimeoutError,
} from 'pristine-kernel';
import type { RestClient } from '../client/rest-client.js';
import { CorruptArchiveError, DownloadInterruptedError } from './download-errors.js';
import { checkpointFolderName, install, prepareTarget, removeCreated } from './download-target.js';
import { extractSafely } from './extract.js';

export interface DownloadProgress {
  downloadedBytes: number;
  /** Unknown (NaN) when the server sends no Content-Length. */
  totalBytes: number;
}

export interface DownloadOptions {
  /** The parent directory (created when missing); the checkpoint gets its own folder inside it. */
  output_dir: string;
  /** Replace the checkpoint's own folder if it exists (never anything else). */
  force?: boolean;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
}

export interface DownloadResult {
  checkpoint_path: string;
  /** `<output_dir>/<run_id>_<weights|sampler_weights>_<name>`, absolute. */
  destination: string;
  /** The extracted files, relative to `destination`, sorted. */
  files: string[];
}

/**
 * Download a checkpoint archive into `<output_dir>/<run_id>_<weights|sampler_weights>_<name>`, the folder
 * the Python and Elixir SDKs use. The target is checked first (exists without `force`, or is a file or a
 * link: `DownloadTargetError`, nothing sent). The archive streams to a private `.tinkex-download-*` folder
 * next to the target in constant memory, is checked and extracted there (`UnsafeArchiveError`,
 * `CorruptArchiveError`), and only then renamed into place; with `force` the old folder is swapped out
 * and deleted last. Nothing else in `output_dir` is touched, and the private folder is removed on every
 * outcome, so a failure leaves no partial checkpoint; an `output_dir` this call created is removed after a
 * failure too, if nothing else was put in it.
 */
export async function downloadCheckpoint(
  rest: RestClient,
  tinker_path: string,
  options: DownloadOptions,
): Promise<DownloadResult> {
  const folder = checkpointFolderName(tinker_path);
  const force = options.force ?? false;
  const { target, created } = await prepareTarget(options.output_dir, folder, force);
  try {
    return await downloadInto(rest, tinker_path, target, options);
  } catch (error) {
    // `-o <new dir>`: a failure leaves nothing of this run behind, that directory included.
    await removeCreated(created);
    throw error;
  }
}

/** The download proper, into a private folder next to `target`, removed on every outcome. */
async function downloadInto(
  rest: RestClient,
  tinker_path: string,
  target: string,
  options: DownloadOptions,
): Promise<DownloadResult> {
  const force = options.force ?? false;
  const { url } = await rest.getCheckpointArchiveUrlFromTinkerPath(tinker_path, { signal: options.signal });
  const work = await mkdtemp(join(dirname(target), '.tinkex-download-'));
  try {
    const archive = join(work, 'archive.tar');
    await fetchArchive(rest, url, archive, options);
    const staging = join(work, 'extract');
    await mkdir(staging);
    await extractSafely(archive, staging);
    const files = await listFiles(staging);
    // An abort during extraction (which takes no signal) still wins: nothing is installed.
    if (options.signal?.aborted) throw abortErrorFor(options.signal);
    await install(staging, target, work, force);
    return { checkpoint_path: tinker_path, destination: target, files };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Stream the signed URL's body to `file`; a body shorter than its Content-Length is a corrupt archive. */
async function fetchArchive(rest: RestClient, url: string, file: string, options: DownloadOptions) {
  const download = await rest.openDownload(url, { signal: options.signal });
  let downloaded = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      downloaded += chunk.length;
      options.onProgress?.({ downloadedBytes: downloaded, totalBytes: download.size });
      done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.from(download.body), counter, createWriteStream(file), {
      signal: options.signal,
    });
  } catch (error) {
    // Node's own AbortError (from `pipeline`) carries the reason too, but the documented error is ours,
    // with the signal's reason as its cause wherever the abort caught the download.
    if (options.signal?.aborted || error instanceof APIUserAbortError)
      throw error instanceof APIUserAbortError ? error : abortErrorFor(options.signal);
    // A broken or stalled transfer: the transport's connection error, the stream's own, or no chunk
    // within the call's timeout (a server stopped mid-body).
    if (
      error instanceof APIConnectionError ||
      error instanceof StreamIdleTimeoutError ||
      !(error instanceof PristineError)
    )
      throw new DownloadInterruptedError(downloaded, download.size, error);
    throw error;
  } finally {
    download.cancel();
  }
  if (Number.isFinite(download.size) && downloaded !== download.size)
    throw new CorruptArchiveError(
      'LENGTH_MISMATCH',
      `received ${downloaded} bytes, the server announced ${download.size}`,
    );
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const full = join(dir, name);
    if ((await stat(full)).isDirectory()) out.push(...(await listFiles(full, `${prefix}${name}${sep}`)));
    else out.push(`${prefix}${name}`);
  }
  return out;
}
