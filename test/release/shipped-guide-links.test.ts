import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: plain .mjs scripts without declarations
import { PACKAGES } from '../../scripts/build.mjs';
// @ts-expect-error: plain .mjs scripts without declarations
import { copyPackageFiles } from '../../scripts/package-files.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
type Pkg = { dir: string; guides?: string[] };
const copy = copyPackageFiles as (root: string, pkg: Pkg) => void;

/** The relative `.md` links of a guide whose file is not next to it in `shipped`. */
const deadLinks = (text: string, shipped: string[]) =>
  [...text.matchAll(/\]\(([^)\s#:]+\.md)(#[^)\s]*)?\)/g)]
    .map((m) => m[1])
    .filter((file) => !shipped.includes(file));

/**
 * Found by hand (round 38): the guides a package ships in dist/docs/ linked to guides it does not ship
 * (tinkex's configuration.md to architecture.md and performance.md, the kernel's architecture.md to
 * performance.md and performance-notes.md): dead links for someone reading the installed package, as the
 * CLI's help tells them to. A link to a guide the package does not carry now names the repository's file.
 */
describe('the guides a package ships', () => {
  it('keep links between shipped guides and name the repository file for the others', () => {
    const fake = mkdtempSync(join(tmpdir(), 'guides-'));
    try {
      mkdirSync(join(fake, 'docs'));
      mkdirSync(join(fake, 'pkg', 'dist'), { recursive: true });
      writeFileSync(join(fake, 'LICENSE'), 'license');
      writeFileSync(join(fake, 'docs', 'b.md'), '# B\n');
      writeFileSync(
        join(fake, 'docs', 'a.md'),
        'See [B](b.md#b), [a fleet](other.md#running-a-fleet), [perf](other.md) and [web](https://x.dev/a.md).\n',
      );
      copy(fake, { dir: 'pkg', guides: ['a.md', 'b.md'] });
      expect(readFileSync(join(fake, 'pkg', 'dist', 'docs', 'a.md'), 'utf8')).toBe(
        'See [B](b.md#b), a fleet (`docs/other.md` of the source repository), ' +
          'perf (`docs/other.md` of the source repository) and [web](https://x.dev/a.md).\n',
      );
    } finally {
      rmSync(fake, { recursive: true, force: true });
    }
  });

  it.each((PACKAGES as Pkg[]).filter((p) => p.guides?.length).map((p) => [p.dir, p.guides!] as const))(
    '%s links only to guides it ships',
    (dir, guides) => {
      const out = mkdtempSync(join(tmpdir(), 'guides-'));
      try {
        // The real guides, copied as the build copies them, into a scratch package.
        mkdirSync(join(out, 'pkg', 'dist'), { recursive: true });
        mkdirSync(join(out, 'docs'));
        writeFileSync(join(out, 'LICENSE'), readFileSync(join(root, 'LICENSE')));
        for (const guide of guides)
          writeFileSync(join(out, 'docs', guide), readFileSync(join(root, 'docs', guide)));
        copy(out, { dir: 'pkg', guides });
        const dead = guides.flatMap((guide) =>
          deadLinks(readFileSync(join(out, 'pkg', 'dist', 'docs', guide), 'utf8'), guides).map(
            (file) => `${dir}: ${guide} -> ${file}`,
          ),
        );
        expect(dead).toEqual([]);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    },
  );
});
