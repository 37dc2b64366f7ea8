import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PKG = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(PKG, 'src');
const manifest = JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8'));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : [];
  });
}

const imports = files(SRC).flatMap((file) =>
  [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => ({
    file: relative(PKG, file),
    specifier: m[1],
    target: m[1].startsWith('.') ? resolve(dirname(file), m[1]) : undefined,
  })),
);

describe('tinker-emulator is self-contained', () => {
  it('relative imports stay inside src/', () => {
    expect(imports.filter((i) => i.target && relative(SRC, i.target).startsWith('..'))).toEqual([]);
  });

  it('package imports are node: builtins or its own declared dependencies (never pristine or tinkex)', () => {
    const declared = Object.keys(manifest.dependencies ?? {});
    const undeclared = imports.filter((i) => {
      if (i.target || i.specifier.startsWith('node:')) return false;
      const name = i.specifier.startsWith('@')
        ? i.specifier.split('/').slice(0, 2).join('/')
        : i.specifier.split('/')[0];
      return !declared.includes(name);
    });
    expect(undeclared).toEqual([]);
    expect(declared).not.toContain('pristine-kernel');
    expect(declared).not.toContain('tinkex');
  });
});
