import { lstat, rename, rmdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ValidationError } from 'pristine-kernel';
import { parseTinkerPath } from '../types/tinker-path.js';
import { DownloadTargetError } from './download-errors.js';
import { makeDirs } from '../fs/make-dirs.js';

/**
 * The folder both reference SDKs extract into, inside the output directory: the path without
 * `tinker://`, every `/` replaced by `_` (`tinker://run-1/weights/0001` → `run-1_weights_0001`).
 */
export function checkpointFolderName(tinker_path: string): string {
  parseTinkerPath(tinker_path);
  const name = tinker_path.slice('tinker://'.length).replaceAll('/', '_');
  if (/[\\\0]/.test(name))
    throw ValidationError.field(
      'tinker path',
      '/tinker_path',
      'folder-name',
      `${JSON.stringify(tinker_path)} cannot name a folder (it holds a backslash or NUL)`,
    );
  return name;
}

/** The directories `prepareTarget` made: from `first` (the outermost) down to `last` (the output directory). */
export interface CreatedDirs {
  first: string;
  last: string;
}

/**
 * Check the output directory (created when missing) and the checkpoint folder before anything is
 * downloaded, so a refusal costs no transfer. Returns the folder's absolute path, and the directories
 * made for it (for `removeCreated` after a failure).
 */
export async function prepareTarget(
  output_dir: string,
  folder: string,
  force: boolean,
): Promise<{ target: string; created: CreatedDirs | undefined }> {
  const parent = resolve(output_dir);
  const info = await stat(parent).catch(missing);
  if (info && !info.isDirectory())
    throw new DownloadTargetError(parent, 'directory', `${parent} exists and is not a directory`);
  let created: CreatedDirs | undefined;
  if (!info) {
    const first = await makeDirs(parent).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST' || error.code === 'ENOTDIR')
        throw new DownloadTargetError(parent, 'directory', `${parent} cannot be created: a parent is a file`);
      throw error;
    });
    // undefined: another process made it first; then it is not ours to remove.
    if (first) created = { first, last: parent };
  }
  const target = join(parent, folder);
  // A folder just created holds no target: nothing to undo if this refuses.
  await checkReplaceable(target, force);
  return { target, created };
}

/**
 * After a failed download, remove the directories `prepareTarget` made, deepest first, each only while
 * it is empty: `rmdir` refuses one that holds anything (something else may have put a file there), and
 * then its parents hold it too. Never a directory that existed before, never anything inside one. Best
 * effort: the download's own error is the one to report.
 */
export async function removeCreated(created: CreatedDirs | undefined): Promise<void> {
  if (!created) return;
  for (let dir = created.last; ; dir = dirname(dir)) {
    if (
      !(await rmdir(dir).then(
        () => true,
        () => false,
      ))
    )
      return;
    if (dir === created.first) return;
  }
}

/**
 * Move the staged folder to `target`. An existing target (allowed only with `force`, and only if it is a
 * real directory) is first moved into `work`, and moved back if the final rename fails, so a failed
 * replacement never loses the previous download. The caller removes `work`.
 */
export async function install(staging: string, target: string, work: string, force: boolean): Promise<void> {
  const previous = join(work, 'previous');
  const existed = await checkReplaceable(target, force);
  if (existed) await rename(target, previous);
  try {
    await rename(staging, target);
  } catch (error) {
    if (existed) await rename(previous, target);
    throw error;
  }
}

/** Throw unless `target` is absent, or is a directory (not a link) and `force` is set. */
async function checkReplaceable(target: string, force: boolean): Promise<boolean> {
  const info = await lstat(target).catch(missing);
  if (!info) return false;
  if (!force)
    throw new DownloadTargetError(
      target,
      'absent-or-force',
      `${target} already exists (pass --force / force: true to replace it)`,
    );
  if (!info.isDirectory())
    throw new DownloadTargetError(
      target,
      'directory',
      `${target} is a ${info.isSymbolicLink() ? 'symbolic link' : 'file'}, not a checkpoint folder; refusing to replace it`,
    );
  return true;
}

function missing(error: NodeJS.ErrnoException): undefined {
  if (error.code === 'ENOENT') return undefined;
  if (error.code === 'ENOTDIR')
    throw new DownloadTargetError(
      String(error.path),
      'directory',
      `${String(error.path)}: a parent is a file`,
    );
  throw error;
}
