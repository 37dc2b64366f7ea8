import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p`: makes `dir` and its missing parents, one level at a time, and returns the outermost
 * directory it made (undefined when it made none: `dir` existed, or another process made it first), as
 * `mkdir(dir, { recursive: true })` does. Node's recursive mkdir never settles where a parent is missing
 * and cannot be made under /proc (Node 20 and 24), which hung `checkpoint download -o /proc/x` for ever;
 * one level at a time, the first refusal is an error. A parent that is a file fails with ENOTDIR or EEXIST.
 */
export async function makeDirs(dir: string): Promise<string | undefined> {
  const missing: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    const info = await stat(at).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (info) {
      if (info.isDirectory()) break;
      throw Object.assign(new Error(`EEXIST: file already exists, mkdir '${at}'`), {
        code: 'EEXIST',
        path: at,
      });
    }
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  let first: string | undefined;
  for (const at of missing) {
    const made = await mkdir(at).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST') return false;
        throw error;
      },
    );
    if (made) first ??= at;
  }
  return first;
}
