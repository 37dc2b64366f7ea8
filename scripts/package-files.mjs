// What a published package carries besides its code: the repository's LICENSE (npm ships a LICENSE
// found at the package's root) and its guides under dist/docs/, so someone who installed it from a
// tarball or the registry has them offline. Copied at build time, never committed twice.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Copy LICENSE and `guides` (file names in docs/) into the package at `dir` (relative to `root`). */
export function copyPackageFiles(root, { dir, guides = [] }) {
  copyFileSync(join(root, 'LICENSE'), join(root, dir, 'LICENSE'));
  const docs = join(root, dir, 'dist', 'docs');
  rmSync(docs, { recursive: true, force: true });
  if (guides.length === 0) return;
  mkdirSync(docs, { recursive: true });
  for (const guide of guides) copyFileSync(join(root, 'docs', guide), join(docs, guide));
}
