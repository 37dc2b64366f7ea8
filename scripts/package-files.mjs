// What a published package carries besides its code: the repository's LICENSE (npm ships a LICENSE
// found at the package's root) and its guides under dist/docs/, so someone who installed it from a
// tarball or the registry has them offline. Copied at build time, never committed twice; a copy that is
// already as new as its source is left alone, so a build with nothing to do (`npm start`) writes nothing.
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Copy LICENSE and `guides` (file names in docs/) into the package at `dir` (relative to `root`). */
export function copyPackageFiles(root, { dir, guides = [] }) {
  copyIfNewer(join(root, 'LICENSE'), join(root, dir, 'LICENSE'));
  const docs = join(root, dir, 'dist', 'docs');
  if (guides.length > 0) mkdirSync(docs, { recursive: true });
  for (const guide of guides) copyIfNewer(join(root, 'docs', guide), join(docs, guide));
}

function copyIfNewer(from, to) {
  const target = statSync(to, { throwIfNoEntry: false });
  if (target && target.mtimeMs >= statSync(from).mtimeMs) return;
  copyFileSync(from, to);
}
