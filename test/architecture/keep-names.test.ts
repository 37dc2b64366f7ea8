import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild-wasm';
// @ts-expect-error: a build script (plain ESM, no declarations).
import { unwrapNestedNames } from '../../scripts/keep-names.mjs';

const unwrap = unwrapNestedNames as (code: string) => string;

// Two modules with the same top-level names, so bundling renames one set (as the kernel's ValidationError
// and ajv's): those wrappers must stay. Nested functions of every shape esbuild wraps.
const A = `
export class Clash {}
export function clash() {}
export function make() {
  const arrow = () => 1;
  const asyncArrow = async () => 2;
  const expression = function () {};
  const klass = class {};
  function declared() {}
  const object = { property: () => 3, 'quoted': function () {} };
  const namedExpression = function inner() {};
  let assigned;
  assigned = () => 4;
  const holder = {};
  holder.member = () => 5;
  const clash = () => 6;
  return [arrow, asyncArrow, expression, klass, declared, object.property, object.quoted, namedExpression,
    assigned, holder.member, clash];
}
`;
const B = `
import { Clash as OtherClash, clash as otherClash, make } from './a.js';
export class Clash {}
export function clash() {}
export function names() {
  return [Clash, clash, OtherClash, otherClash, ...make()].map((f) => f.name);
}
`;

async function bundled(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'keep-names-'));
  try {
    writeFileSync(join(dir, 'a.js'), A);
    writeFileSync(join(dir, 'b.js'), B);
    // As scripts/bundle.mjs builds, but CommonJS so the test can evaluate it.
    const result = await esbuild.build({
      entryPoints: [join(dir, 'b.js')],
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      keepNames: true,
    });
    return result.outputFiles[0].text;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const namesOf = (code: string): string[] => {
  const module = { exports: {} as { names(): string[] } };
  new Function('module', 'exports', 'require', code)(module, module.exports, () => ({}));
  return module.exports.names();
};

describe("the bundle's keepNames wrappers inside functions (scripts/keep-names.mjs)", () => {
  let code: string;
  beforeAll(async () => {
    code = await bundled();
  }, 60_000);

  it('go where V8 names the function itself, and every function keeps the same name', () => {
    const unwrapped = unwrap(code);
    const calls = (text: string) => text.match(/__name\(/g)?.length ?? 0;
    // arrow, asyncArrow, expression, declared, property, quoted. Kept: the nested `clash`, which bundling
    // renamed (clash3), the named expression, the assignment, and the class's static block.
    expect(calls(code) - calls(unwrapped)).toBe(6);
    expect(namesOf(unwrapped)).toEqual(namesOf(code));
    expect(namesOf(unwrapped)).toEqual([
      'Clash',
      'clash',
      'Clash',
      'clash',
      'arrow',
      'asyncArrow',
      'expression',
      'klass',
      'declared',
      'property',
      'quoted',
      'inner',
      'assigned',
      '',
      'clash',
    ]);
  });

  it('leaves every line and column where the source map says it is', () => {
    const lines = (text: string) => text.split('\n').map((line) => line.length);
    expect(lines(unwrap(code))).toEqual(lines(code));
  });

  it('leaves code without nested wrappers as it is', () => {
    const topLevel = 'var __name = (t, v) => t;\nfunction f() {}\n__name(f, "f");\n';
    expect(unwrap(topLevel)).toBe(topLevel);
  });
});
