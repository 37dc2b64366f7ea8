import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: a plain .mjs script without declarations
import { undeclaredImports } from '../../scripts/package-imports.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const undeclared = undeclaredImports as (dir: string, manifest: object, condition?: string) => string[];

/**
 * Found hands-on (round 27): installed with `npm install --install-strategy=linked` (pnpm's layout),
 * Tinkex's declarations could not find `@sinclair/typebox`, the kernel's dependency that they name but
 * Tinkex did not declare (304 TS2307 errors in an app with `skipLibCheck: false`). Each package's
 * shipped files may import by name only what its package.json declares (dist/ as the last build left it).
 */
describe('package imports', () => {
  it.each([
    ['packages/kernel', 'types'],
    ['packages/kernel', 'import'],
    ['examples/tinkex', 'types'],
    ['examples/tinkex', 'import'],
    ['examples/tinker-emulator', 'types'],
    ['examples/tinker-emulator', 'import'],
  ])('%s: the files its %s entries reach import only declared packages', (dir, condition) => {
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as object;
    expect(undeclared(join(root, dir), manifest, condition)).toEqual([]);
  });

  // Tinkex's declarations and the kernel's name the same TypeBox types (its `Kind` is a unique symbol:
  // two versions' schemas do not assign to each other), so both pin one version.
  it("pins Tinkex's @sinclair/typebox to the kernel's version", () => {
    const deps = (dir: string) =>
      (
        JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as {
          dependencies: Record<string, string>;
        }
      ).dependencies;
    expect(deps('examples/tinkex')['@sinclair/typebox']).toBe(deps('packages/kernel')['@sinclair/typebox']);
  });

  it('names an import the manifest does not declare, and follows relative imports to find it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'package-imports-'));
    try {
      mkdirSync(join(dir, 'dist'));
      const files = {
        'dist/index.d.ts': [
          "/** Prose naming import('in-a-comment') is not an import. */",
          "export * from './inner.js';",
          "export type A = import('@scope/peer/sub').A;",
        ],
        'dist/inner.d.ts': [
          "import type { B } from 'declared';",
          "import type { C } from 'not-declared';",
          "import type { D } from 'node:fs';",
          'export type E = B | C | D;',
        ],
        'dist/unreached.d.ts': ["import type { Z } from 'never-read';", 'export type Y = Z;'],
        'dist/index.js': ["import 'also-not-declared';", "export { readFileSync } from 'node:fs';"],
      };
      for (const [file, lines] of Object.entries(files)) writeFileSync(join(dir, file), lines.join('\n'));
      const manifest = {
        name: 'fixture',
        exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' } },
        dependencies: { declared: '1.0.0' },
        peerDependencies: { '@scope/peer': '1.0.0' },
      };
      expect(undeclared(dir, manifest)).toEqual(['dist/inner.d.ts: not-declared']);
      expect(undeclared(dir, manifest, 'import')).toEqual(['dist/index.js: also-not-declared']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
