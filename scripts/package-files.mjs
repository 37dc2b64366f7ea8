// What a published package carries besides its code: the repository's LICENSE (npm ships a LICENSE
// found at the package's root) and its guides under dist/docs/, so someone who installed it from a
// tarball or the registry has them offline. Copied at build time, never committed twice; a copy that is
// already as new as its source (a guide: already what it would be) is left alone, so a build with nothing
// to do (`npm start`) writes nothing.
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Copy LICENSE and `guides` (file names in docs/) into the package at `dir` (relative to `root`). */
export function copyPackageFiles(root, { dir, guides = [] }) {
  copyIfNewer(join(root, 'LICENSE'), join(root, dir, 'LICENSE'));
  const docs = join(root, dir, 'dist', 'docs');
  if (guides.length > 0) mkdirSync(docs, { recursive: true });
  for (const guide of guides) {
    const text = shippedGuide(readFileSync(join(root, 'docs', guide), 'utf8'), guides);
    const target = join(docs, guide);
    if (readFileSync(target, { encoding: 'utf8', flag: 'a+' }) !== text) writeFileSync(target, text);
  }
}

/**
 * A guide as the package ships it: a link to a guide the package does not carry (the kernel's
 * architecture.md from tinkex's configuration.md) would be dead in dist/docs/, so it names the
 * repository's file instead; links between shipped guides and to web pages stay.
 */
function shippedGuide(text, guides) {
  return text.replace(/\[([^\]]+)\]\(([^)\s#:]+\.md)(?:#[^)\s]*)?\)/g, (link, label, file) =>
    guides.includes(file) ? link : `${label} (\`docs/${file}\` of the source repository)`,
  );
}

function copyIfNewer(from, to) {
  const target = statSync(to, { throwIfNoEntry: false });
  if (target && target.mtimeMs >= statSync(from).mtimeMs) return;
  copyFileSync(from, to);
}
