import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: a plain .mjs script without declarations
import { tarballProblems } from '../../scripts/tarball-contents.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const problems = tarballProblems as (files: string[], manifest?: object) => string[];
const GOOD = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/index.js', 'dist/index.d.ts'];

/**
 * Found on review (round 25): the pack-and-install check refused src/ and test/ at the tarball's root
 * only, and nothing required a CHANGELOG; a test file under dist/, a tsbuildinfo or an .env would have
 * been published. These are the rules it applies to every tarball.
 */
describe('tarball contents', () => {
  it('accepts a package with README, LICENSE, CHANGELOG and declarations', () => {
    expect(problems(GOOD)).toEqual([]);
  });

  it.each([
    ['CHANGELOG.md', 'CHANGELOG.md is missing'],
    ['README.md', 'README.md is missing'],
    ['LICENSE', 'LICENSE is missing'],
    ['dist/index.d.ts', 'dist/index.d.ts is missing'],
  ])('refuses a tarball without %s', (file, problem) => {
    expect(problems(GOOD.filter((f) => f !== file))).toContain(problem);
  });

  it.each([
    'dist/client/retry.test.js',
    'dist/e2e/outage.e2e.test.js',
    'test/unit/config.test.ts',
    'dist/__tests__/x.js',
    'src/index.ts',
    'tsconfig.build.tsbuildinfo',
    'dist/.tsbuildinfo',
    '.env',
    'examples/.env.local',
    '.npmrc',
    'certs/server.key',
  ])('refuses %s', (file) => {
    expect(problems([...GOOD, file])).toHaveLength(1);
  });

  it('refuses a bin or a types entry the tarball does not hold', () => {
    const manifest = {
      bin: { tool: './bin/tool.mjs' },
      exports: { '.': { types: './dist/index.d.ts' }, './x': { types: './dist/x/index.d.ts' } },
    };
    expect(problems(GOOD, manifest)).toEqual([
      'the bin ./bin/tool.mjs is missing',
      'the declarations ./dist/x/index.d.ts are missing',
      'typesVersions does not map x to ./dist/x/index.d.ts (node10 resolution)',
    ]);
    expect(problems([...GOOD, 'bin/tool.mjs', 'dist/x/index.d.ts'], manifest)).toEqual([
      'typesVersions does not map x to ./dist/x/index.d.ts (node10 resolution)',
    ]);
    const mapped = { ...manifest, typesVersions: { '*': { x: ['./dist/x/index.d.ts'] } } };
    expect(problems([...GOOD, 'bin/tool.mjs', 'dist/x/index.d.ts'], mapped)).toEqual([]);
  });

  // What `npm pack` would publish today (dist/ as the last build left it; `npm ci` builds).
  it.each(['packages/kernel', 'examples/tinkex', 'examples/tinker-emulator'])(
    '%s packs what a user needs and nothing else',
    (dir) => {
      const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: join(root, dir),
        encoding: 'utf8',
      });
      expect(packed.status).toBe(0);
      const [info] = JSON.parse(packed.stdout) as [{ files: { path: string }[] }];
      const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as object;
      expect(
        problems(
          info.files.map((f) => f.path),
          manifest,
        ),
      ).toEqual([]);
    },
  );
});
