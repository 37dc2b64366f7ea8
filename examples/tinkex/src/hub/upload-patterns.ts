import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** huggingface_hub never uploads these (DEFAULT_IGNORE_PATTERNS). */
const DEFAULT_IGNORE = [
  '.git',
  '.git/*',
  '*/.git',
  '**/.git/**',
  '.cache/huggingface',
  '.cache/huggingface/*',
  '*/.cache/huggingface',
  '**/.cache/huggingface/**',
];

/** Python's `fnmatch` as a RegExp: `*` matches anything (also `/`), `?` one character, `[…]`/`[!…]` sets. */
export function fnmatch(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) out += '\\[';
      else {
        let set = pattern.slice(i + 1, end).replaceAll('\\', '\\\\');
        if (set.startsWith('!')) set = `^${set.slice(1)}`;
        out += `[${set}]`;
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\/\]]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 's');
}

/** A pattern ending in `/` means the folder's contents (huggingface_hub appends `*`). */
const compile = (patterns: readonly string[]) => patterns.map((p) => fnmatch(p.endsWith('/') ? `${p}*` : p));

/**
 * `filter_repo_objects` of huggingface_hub, as `upload_folder` applies it: kept when it matches an
 * allow pattern (if any are given) and no ignore pattern (the defaults included).
 */
export function filterPaths(
  paths: readonly string[],
  allow?: readonly string[],
  ignore: readonly string[] = [],
): string[] {
  const allowed = allow && allow.length > 0 ? compile(allow) : undefined;
  const ignored = compile([...ignore, ...DEFAULT_IGNORE]);
  return paths.filter((p) => (!allowed || allowed.some((r) => r.test(p))) && !ignored.some((r) => r.test(p)));
}

/** Every regular file under `dir` (dotfiles too), as sorted POSIX paths relative to it. */
export async function listFilesRecursive(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory())
      out.push(...(await listFilesRecursive(join(dir, entry.name), `${prefix}${entry.name}/`)));
    else if (entry.isFile()) out.push(`${prefix}${entry.name}`);
  }
  return out.sort();
}
