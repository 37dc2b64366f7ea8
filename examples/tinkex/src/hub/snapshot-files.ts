import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * huggingface_hub's record that the Hub has no `file` at a commit: an empty
 * `<repo>/.no_exist/<commit>/<file>` beside `<repo>/snapshots/<commit>`. We write and read the same
 * marker, so a cache filled by Python and one filled by Tinkex mean the same thing.
 */
export function noExistMarker(snapshot: string, file: string): string {
  return join(dirname(dirname(snapshot)), '.no_exist', basename(snapshot), file);
}

/**
 * Whether the snapshot folder settles `file`: it holds it, or the Hub was seen not to have it. A file
 * neither there nor marked was never fetched (the download that should have brought it was cut), so
 * the snapshot is not complete yet and must not pass for it.
 */
export function snapshotSettles(snapshot: string, file: string): boolean {
  return existsSync(join(snapshot, file)) || existsSync(noExistMarker(snapshot, file));
}
