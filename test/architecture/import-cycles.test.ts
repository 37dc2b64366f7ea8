import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../scripts/check-import-cycles.mjs', import.meta.url));

function check(...dirs: string[]) {
  const result = spawnSync(process.execPath, [SCRIPT, ...dirs], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout };
}

describe('import cycles (house style: none, type-only imports included)', () => {
  it('no module of the kernel, Tinkex, the emulator or a plugin imports itself through others', () => {
    const { code, stdout } = check();
    expect({ code, stdout }).toEqual({
      code: 0,
      stdout: expect.stringMatching(/^0 import cycle\(s\) among \d+ modules\n$/),
    });
    // It looked at every package's sources, not at an empty folder.
    expect(Number(/among (\d+) modules/.exec(stdout)?.[1])).toBeGreaterThan(200);
  });

  it('the check finds a type-only cycle, and ignores imports in comments and packages', () => {
    const dir = mkdtempSync(join(tmpdir(), 'import-cycles-'));
    try {
      writeFileSync(join(dir, 'a.ts'), "import type { B } from './b.js';\nexport type A = { b: B };\n");
      writeFileSync(
        join(dir, 'b.ts'),
        "import { c } from './c.js';\nimport type { A } from './a.js';\nexport type B = { a?: A; c: typeof c };\n",
      );
      writeFileSync(
        join(dir, 'c.ts'),
        "// import { b } from './b.js';\n/* export * from './a.js'; */\nimport 'node:fs';\nexport const c = 1;\n",
      );
      const { code, stdout } = check(dir);
      expect(code).toBe(1);
      const cycles = stdout.split('\n').filter((line) => line.startsWith('import cycle:'));
      expect(cycles).toHaveLength(1);
      expect(cycles[0]).toMatch(/\/a\.ts <-> .*\/b\.ts$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
