import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** House style: small files, one concept each; a file past this is split by concept. */
const MAX_LINES = 400;
/** Not written by hand: build output, packages, and code generated from the .proto file. */
const SKIPPED = new Set(['node_modules', 'dist', 'gen', 'coverage', '.git']);
/** Scratch space .gitignore keeps out of the repository (profiling scripts, build copies). */
const SCRATCH = new Set(['bench/tmp', '.tmp', '.cache']);
const SOURCE = /\.(?:ts|mts|js|mjs)$/;

function sources(dir: string, found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (SKIPPED.has(entry.name) || SCRATCH.has(relative(ROOT, path))) continue;
    if (entry.isDirectory()) sources(path, found);
    else if (SOURCE.test(entry.name)) found.push(path);
  }
  return found;
}

const lineCount = (path: string) => readFileSync(path, 'utf8').split('\n').length - 1;

describe('file size (house style: no file over ~400 lines)', () => {
  it(`no hand-written source file in src, examples, plugins, test, scripts or bench is over ${MAX_LINES} lines`, () => {
    const files = ['src', 'examples', 'plugins', 'test', 'scripts', 'bench'].flatMap((top) =>
      sources(join(ROOT, top)),
    );
    // It looked at the whole tree, not at an empty folder.
    expect(files.length).toBeGreaterThan(500);
    const long = files
      .map((path) => ({ file: relative(ROOT, path), lines: lineCount(path) }))
      .filter(({ lines }) => lines > MAX_LINES);
    expect(long).toEqual([]);
  });
});
