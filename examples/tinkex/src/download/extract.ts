import { isAbsolute, relative, resolve } from 'node:path';
import { CheckpointArchiveError, CorruptArchiveError, UnsafeArchiveError } from './download-errors.js';

/**
 * node-tar reads archives in 16 MiB blocks by default (and an archive below that in one read), which
 * doubled the peak memory of a 512 MiB checkpoint download; 1 MiB reads keep extraction near-constant.
 */
const TAR_READ_BYTES = 1024 * 1024;

/** Entry types a checkpoint never needs; links could redirect later writes, devices are never data. */
const REFUSED_TYPES = new Set(['SymbolicLink', 'Link', 'CharacterDevice', 'BlockDevice', 'FIFO']);

/**
 * Extract `file` into `dir` with node-tar. A first pass checks every entry (no absolute paths, no `..`,
 * nothing outside `dir`, no links or devices, at least one entry) before anything is written. Failures
 * are always typed: `UnsafeArchiveError`, or `CorruptArchiveError` for anything node-tar rejects
 * (`TAR_BAD_ARCHIVE`, `TAR_ENTRY_INVALID`, …); node-tar's own error is the `cause`.
 */
export async function extractSafely(file: string, dir: string): Promise<void> {
  // Loaded on first extraction: every client would otherwise carry node-tar's few MB for nothing.
  const tar = await import('tar');
  const root = resolve(dir);
  let refusal: UnsafeArchiveError | undefined;
  let entries = 0;
  await typed(
    tar.t({
      file,
      strict: true,
      maxReadSize: TAR_READ_BYTES,
      onReadEntry: (entry) => {
        entries++;
        refusal ??= checkEntry(root, entry.path, entry.type);
      },
    }),
  );
  if (refusal) throw refusal;
  if (entries === 0) throw new CorruptArchiveError('EMPTY', 'the archive holds no entries');
  await typed(tar.x({ file, cwd: root, strict: true, preservePaths: false, maxReadSize: TAR_READ_BYTES }));
}

function checkEntry(root: string, path: string, type: string): UnsafeArchiveError | undefined {
  if (isAbsolute(path) || /^[a-zA-Z]:/.test(path)) return new UnsafeArchiveError(path, 'absolute path');
  if (path.split(/[\\/]/).includes('..')) return new UnsafeArchiveError(path, 'parent-directory segment');
  const rel = relative(root, resolve(root, path));
  if (rel.startsWith('..') || isAbsolute(rel))
    return new UnsafeArchiveError(path, 'outside the output directory');
  if (REFUSED_TYPES.has(type)) return new UnsafeArchiveError(path, `${type} entries are not allowed`);
  return undefined;
}

/** Replace node-tar's errors (plain `Error`s with a `TAR_*` code) by typed ones. */
async function typed(work: Promise<void>): Promise<void> {
  try {
    await work;
  } catch (error) {
    if (error instanceof CheckpointArchiveError) throw error;
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    if (typeof code === 'string' && code.startsWith('TAR_'))
      throw new CorruptArchiveError(code, message, error);
    throw new CheckpointArchiveError(`Extracting the checkpoint archive failed: ${message}`, {
      category: 'unknown',
      cause: error,
    });
  }
}
