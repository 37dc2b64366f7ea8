import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hubCacheDir } from '../hub/hub-settings.js';
import { snapshotSettles } from '../hub/snapshot-files.js';

export interface LocateOptions {
  /** A directory laid out as `<dir>/<org>/<name>/tokenizer.json`; default `$TINKEX_TOKENIZER_CACHE`. */
  cacheDir?: string;
  /** The Hugging Face hub cache; default `$HF_HUB_CACHE` (or `$HUGGINGFACE_HUB_CACHE`), else `$HF_HOME/hub` (see hubCacheDir). */
  hubCache?: string;
  /** A pinned hub revision (commit); otherwise `refs/main`, else any snapshot. */
  revision?: string;
  /**
   * Skip Hugging Face snapshots that neither hold tokenizer_config.json nor record its absence
   * (`.no_exist`): a cut download left them short, and `getTokenizer` online fetches the rest rather
   * than load a tokenizer without its config. Default false (a local-only load uses what is there).
   */
  complete?: boolean;
  /** Whether `loadTokenizer` falls back to the tokenizers shipped with Tinkex (default true). */
  bundled?: boolean;
  env?: NodeJS.ProcessEnv;
}

/**
 * Directories that may hold `<id>`'s tokenizer.json, in the order searched: the Tinkex cache, then the
 * Hugging Face hub cache (`models--org--name/snapshots/<rev>`). Never the network. The tokenizers shipped
 * with Tinkex come after these, from code (see shipped.ts), so they are in no directory.
 */
export function tokenizerDirs(id: string, options: LocateOptions = {}): string[] {
  const env = options.env ?? process.env;
  const dirs: string[] = [];
  const cache = options.cacheDir ?? env.TINKEX_TOKENIZER_CACHE;
  if (cache) dirs.push(join(cache, ...id.split('/')));
  const snapshots = hubSnapshots(hubRepo(id, options), options.revision);
  dirs.push(
    ...(options.complete ? snapshots.filter((d) => snapshotSettles(d, 'tokenizer_config.json')) : snapshots),
  );
  return dirs;
}

/** `<id>`'s folder in the Hugging Face hub cache (`models--org--name`), whether or not it exists. */
function hubRepo(id: string, options: LocateOptions): string {
  const env = options.env ?? process.env;
  // The Hub client's own rule (XDG_CACHE_HOME, the legacy HUGGINGFACE_HUB_CACHE, empty = unset), so a
  // local-only load finds what getTokenizer downloaded.
  const hub = options.hubCache ?? hubCacheDir(env);
  return join(hub, `models--${id.split('/').join('--')}`);
}

/**
 * Where `locateTokenizer` looked, for a message: `tokenizerDirs`, and the hub cache folder when it gave
 * no snapshot (else a miss with no $TINKEX_TOKENIZER_CACHE named no place at all).
 */
export function searchedPlaces(id: string, options: LocateOptions = {}): string[] {
  const dirs = tokenizerDirs(id, options);
  const repo = hubRepo(id, options);
  return dirs.some((d) => d.startsWith(repo)) ? dirs : [...dirs, `${repo} (no snapshot)`];
}

function hubSnapshots(repo: string, revision?: string): string[] {
  const snapshots = join(repo, 'snapshots');
  if (!existsSync(snapshots)) return [];
  if (revision) return [join(snapshots, revision)];
  const main = join(repo, 'refs', 'main');
  const preferred = existsSync(main) ? [join(snapshots, readFileSync(main, 'utf8').trim())] : [];
  return [...preferred, ...readdirSync(snapshots).map((s) => join(snapshots, s))];
}

/** The first directory holding a tokenizer.json, or undefined. */
export function locateTokenizer(id: string, options: LocateOptions = {}): string | undefined {
  return tokenizerDirs(id, options).find((d) => existsSync(join(d, 'tokenizer.json')));
}
