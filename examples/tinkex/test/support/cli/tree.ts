import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Every entry under `dir` (relative path → content hash, `dir/`, or `-> target`), to compare before/after. */
export async function snapshot(dir: string, prefix = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) {
    const full = join(dir, name);
    const rel = `${prefix}${name}`;
    const info = await lstat(full);
    if (info.isSymbolicLink()) out[rel] = `-> ${await readlink(full)}`;
    else if (info.isDirectory()) {
      out[`${rel}/`] = 'dir';
      Object.assign(out, await snapshot(full, `${rel}/`));
    } else
      out[rel] = createHash('sha256')
        .update(await readFile(full))
        .digest('hex');
  }
  return out;
}

/** The snapshot without `folder/` and everything below it. */
export function outside(tree: Record<string, string>, folder: string): Record<string, string> {
  return Object.fromEntries(Object.entries(tree).filter(([k]) => !k.startsWith(`${folder}/`)));
}
