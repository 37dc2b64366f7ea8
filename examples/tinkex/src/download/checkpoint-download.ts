import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { PristineError, ValidationError } from 'pristine';
import type { RestClient } from '../client/rest-client.js';

export interface DownloadProgress {
  downloadedBytes: number;
  /** Unknown (NaN) when the server sends no Content-Length. */
  totalBytes: number;
}

export interface DownloadOptions {
  output_dir: string;
  /** Replace an existing, non-empty output directory. */
  force?: boolean;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
}

/** The archive holds an entry that would land outside the output directory. */
export class UnsafeArchiveError extends PristineError {
  constructor(entry: string, reason: string) {
    super(`Refusing archive entry "${entry}": ${reason}`, { category: 'server' });
  }
}

/**
 * Download a checkpoint archive and extract it into `output_dir`: streamed to a temporary file in constant
 * memory, extracted into a temporary directory with every entry checked (no absolute paths, no `..`, no
 * links escaping the target), then moved into place. Temporary files are removed on every outcome.
 */
export async function downloadCheckpoint(
  rest: RestClient,
  tinker_path: string,
  options: DownloadOptions,
): Promise<string[]> {
  const target = resolve(options.output_dir);
  if (!options.force && (await nonEmpty(target))) {
    throw ValidationError.field(
      'downloadCheckpoint options',
      '/output_dir',
      'empty',
      `${target} exists and is not empty (pass force: true to replace it)`,
    );
  }
  const { url } = await rest.getCheckpointArchiveUrlFromTinkerPath(tinker_path, { signal: options.signal });
  await mkdir(dirname(target), { recursive: true });
  const work = await mkdtemp(join(dirname(target), '.tinkex-download-'));
  try {
    const archive = join(work, 'archive.tar');
    const download = await rest.openDownload(url, options.signal);
    let downloaded = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        downloaded += chunk.length;
        options.onProgress?.({ downloadedBytes: downloaded, totalBytes: download.size });
        done(null, chunk);
      },
    });
    try {
      await pipeline(Readable.from(download.body), counter, createWriteStream(archive), {
        signal: options.signal,
      });
    } finally {
      download.cancel();
    }
    const staging = join(work, 'extract');
    await mkdir(staging);
    await extractSafely(archive, staging);
    const files = await listFiles(staging);
    await rm(target, { recursive: true, force: true });
    await rename(staging, target);
    return files;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * node-tar reads archives in 16 MiB blocks by default (and an archive below that in one read), which
 * doubled the peak memory of a 512 MiB checkpoint download; 1 MiB reads keep extraction near-constant.
 */
const TAR_READ_BYTES = 1024 * 1024;

/** Extract with node-tar, refusing any entry whose path or link target escapes `dir`. */
export async function extractSafely(file: string, dir: string): Promise<void> {
  const root = resolve(dir);
  const inside = (p: string) => {
    const rel = relative(root, p);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  let refusal: UnsafeArchiveError | undefined;
  // First pass: check every entry before writing anything.
  await tar.t({
    file,
    maxReadSize: TAR_READ_BYTES,
    onReadEntry: (entry) => {
      if (refusal) return;
      const path = entry.path;
      if (isAbsolute(path) || /^[a-zA-Z]:/.test(path))
        refusal = new UnsafeArchiveError(path, 'absolute path');
      else if (path.split(/[\\/]/).includes('..'))
        refusal = new UnsafeArchiveError(path, 'parent-directory segment');
      else if (!inside(resolve(root, path)))
        refusal = new UnsafeArchiveError(path, 'outside the output directory');
      else if (entry.type === 'SymbolicLink' || entry.type === 'Link') {
        const linkpath = entry.linkpath ?? '';
        const resolved =
          entry.type === 'SymbolicLink'
            ? resolve(dirname(resolve(root, path)), linkpath)
            : resolve(root, linkpath);
        if (isAbsolute(linkpath) || !inside(resolved))
          refusal = new UnsafeArchiveError(path, `link to "${linkpath}" escapes the output directory`);
      }
    },
  });
  if (refusal) throw refusal;
  await tar.x({ file, cwd: root, strict: true, preservePaths: false, maxReadSize: TAR_READ_BYTES });
}

async function nonEmpty(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length > 0;
  } catch {
    return false;
  }
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
