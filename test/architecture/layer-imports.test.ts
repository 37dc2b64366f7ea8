import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../../scripts/check-import-cycles.mjs', import.meta.url));

/**
 * Every module under src/ with the src/ modules it imports (relative specifiers, type-only included),
 * as the import-cycle check reads them: its own parser, run in a plain Node process.
 */
function importGraph(): Map<string, string[]> {
  const result = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { findCycles } from ${JSON.stringify(pathToFileURL(SCRIPT).href)};\n` +
        `const graph = new Map();\n` +
        `findCycles([${JSON.stringify(`${ROOT}src`)}], graph);\n` +
        `process.stdout.write(JSON.stringify([...graph]));`,
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(result.stderr);
  const entries = JSON.parse(result.stdout) as [string, string[]][];
  const path = (file: string) => relative(ROOT, file).split('\\').join('/');
  return new Map(entries.map(([file, targets]) => [path(file), targets.map(path)]));
}

/** `from → to` for each import of a module under `layer` that leaves `allowed`. */
function importsLeaving(graph: Map<string, string[]>, layer: string, allowed: readonly string[]): string[] {
  return [...graph].flatMap(([from, targets]) =>
    from.startsWith(layer)
      ? targets.filter((to) => !allowed.some((dir) => to.startsWith(dir))).map((to) => `${from} → ${to}`)
      : [],
  );
}

describe('layers (house style: the kernel depends on ports only; ports on nothing)', () => {
  const graph = importGraph();

  it('no module under src/kernel imports an adapter or the composition root (src/defaults, src/index.ts)', () => {
    expect(importsLeaving(graph, 'src/kernel/', ['src/kernel/', 'src/ports/'])).toEqual([]);
    // It looked at the kernel, not at an empty folder.
    expect([...graph.keys()].filter((file) => file.startsWith('src/kernel/')).length).toBeGreaterThan(100);
  });

  it('no module under src/ports imports anything but other ports', () => {
    expect(importsLeaving(graph, 'src/ports/', ['src/ports/'])).toEqual([]);
    expect(graph.has('src/ports/index.ts')).toBe(true);
  });
});
