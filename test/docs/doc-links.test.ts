import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Links and file names in the docs resolve: a relative link reaches a file (and its `#anchor` a heading
// of that file), and a backticked repository path (`examples/tinkex/test/e2e/outage.e2e.test.ts`) or
// file name (`repoll-pacing.ts`) names a file the repository has. Renaming a file or a heading without
// its docs fails here rather than leaving readers a dead reference.

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The docs users read (docs/performance-notes.md is a history of past rounds, not checked). */
const DOCS = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md') && f !== 'performance-notes.md')
    .map((f) => `docs/${f}`),
  'packages/kernel/README.md',
  'packages/kernel/CHANGELOG.md',
  'examples/tinkex/README.md',
  'examples/tinkex/CHANGELOG.md',
  'examples/tinker-emulator/README.md',
  'examples/tinker-emulator/CHANGELOG.md',
];

/** Where a package-relative path (`test/e2e/…`, `proto/…`, `dist/cli/main.js`) may live. */
const PACKAGE_DIRS = [
  'packages/kernel',
  'examples/tinkex',
  'examples/tinker-emulator',
  'plugins/example-todo',
];

/** File names that are not the repository's: what a checkpoint archive or the Hub holds. */
const NOT_REPOSITORY_FILES = new Set(['adapter_config.json', 'tokenizer.json', 'tokenizer_config.json']);

/** Every file of the repository (no node_modules, .git; dist/ of the packages is built, so listed). */
function repositoryFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === '.git') continue;
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk('');
  return files;
}

/** The text outside fenced blocks (code is checked by running it). */
const prose = (text: string) => text.replace(/^```[\s\S]*?^```$/gm, '');

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
const anchorOf = (heading: string) =>
  heading
    .toLowerCase()
    .trim()
    .replace(/[^\p{L}\p{N}\- _]/gu, '')
    .replace(/ /g, '-');

const anchorsOf = (file: string) =>
  new Set([...prose(read(file)).matchAll(/^#+ (.+)$/gm)].map((m) => anchorOf(m[1])));

describe('links and file references in the docs resolve', () => {
  const files = repositoryFiles();
  const names = new Set(files.map((f) => f.split('/').pop()));

  it.each(DOCS)('%s', (doc) => {
    const text = prose(read(doc));
    const dead: string[] = [];
    for (const [, href] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(href)) continue;
      const [path, anchor] = href.split('#');
      const target = path ? join(dirname(doc), path) : doc;
      if (!existsSync(join(root, target))) dead.push(`link ${href}`);
      else if (anchor && target.endsWith('.md') && !anchorsOf(target).has(anchor))
        dead.push(`anchor ${href}`);
    }
    for (const [, ref] of text.matchAll(/`([\w./-]+\.(?:ts|mjs|cjs|js|md|json|sh|proto))`/g)) {
      if (NOT_REPOSITORY_FILES.has(ref)) continue;
      if (!ref.includes('/')) {
        if (!names.has(ref)) dead.push(`file ${ref}`);
        continue;
      }
      const candidates = [ref, join(dirname(doc), ref), ...PACKAGE_DIRS.map((dir) => `${dir}/${ref}`)];
      if (!candidates.some((path) => existsSync(join(root, path)))) dead.push(`path ${ref}`);
    }
    expect(dead).toEqual([]);
  });

  it('finds a dead link, a dead anchor and a missing file (the checks are live)', () => {
    expect(existsSync(join(root, 'docs/no-such-guide.md'))).toBe(false);
    expect(anchorsOf('docs/configuration.md').has('fleet-wide-limits-shared')).toBe(true);
    expect(anchorsOf('docs/configuration.md').has('no-such-section')).toBe(false);
    expect(names.has('repoll-pacing.ts')).toBe(true);
    expect(names.has('no-such-file.test.ts')).toBe(false);
  });
});
