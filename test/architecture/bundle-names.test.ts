import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../scripts/bundle-names.mjs', import.meta.url));

/** dropRedundantNames(code), run in a plain Node process (the build script is an ES module). */
function dropRedundantNames(code: string): string {
  const result = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { dropRedundantNames } from ${JSON.stringify(pathToFileURL(SCRIPT).href)};\n` +
        `process.stdout.write(dropRedundantNames(${JSON.stringify(code)}));`,
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout;
}

/** The names the functions of `code` end up with (it fills `names`), as esbuild's helper sets them. */
function namesAfterRunning(code: string): string[] {
  const helper =
    'var __name = (t, v) => Object.defineProperty(t, "name", { value: v, configurable: true });\n';
  return new Function(`${helper}const names = [];\n${code}\nreturn names;`)() as string[];
}

// What esbuild's keepNames emits, in each position it puts `__name`.
const BUNDLE = [
  'function declared() {}',
  '__name(declared, "declared");',
  'function renamed2() {}',
  '__name(renamed2, "renamed");',
  'const arrow = /* @__PURE__ */ __name(() => 1, "arrow");',
  'const object = { method: /* @__PURE__ */ __name(() => 1, "method"), "quoted-key": __name(function() {}, "quoted-key") };',
  'let assigned;',
  'assigned = __name(() => 1, "assigned");',
  'const argument = ((f) => f)(/* @__PURE__ */ __name(() => 1, "argument"));',
  'const otherName = __name(function inner() {}, "otherName");',
  'const mismatch = __name(() => 1, "notMismatch");',
  'class Declared {',
  '  static {',
  '    __name(this, "Declared");',
  '  }',
  '}',
  'var Collided = class _Collided {',
  '  static {',
  '    __name(this, "Collided");',
  '  }',
  '};',
  'function outer() {',
  '  function nested() {}',
  '  __name(nested, "nested");',
  '  const perCall = /* @__PURE__ */ __name(() => nested, "perCall");',
  '  return perCall;',
  '}',
  '__name(outer, "outer");',
  'const suffixed2 = /* @__PURE__ */ __name(() => 1, "suffixed");',
  'function perCallRenamed() {',
  '  const failed3 = /* @__PURE__ */ __name((error) => error, "failed");',
  '  const notASuffix = /* @__PURE__ */ __name(() => 1, "other");',
  '  return [failed3, notASuffix];',
  '}',
  'names.push(declared.name, renamed2.name, arrow.name, object.method.name, object["quoted-key"].name,',
  '  assigned.name, argument.name, otherName.name, mismatch.name, Declared.name, Collided.name,',
  '  outer.name, outer().name, outer()().name, suffixed2.name, ...perCallRenamed().map((f) => f.name));',
].join('\n');

describe("dropping keepNames' redundant __name wraps from a bundle (scripts/bundle-names.mjs)", () => {
  const dropped = dropRedundantNames(BUNDLE);

  it('leaves every function and class with the name it had, but for closures made per call that esbuild renamed', () => {
    expect(namesAfterRunning(BUNDLE).slice(-2)).toEqual(['failed', 'other']);
    expect(namesAfterRunning(dropped)).toEqual([
      'declared',
      'renamed',
      'arrow',
      'method',
      'quoted-key',
      'assigned',
      'argument',
      'otherName',
      'notMismatch',
      'Declared',
      'Collided',
      'outer',
      'perCall',
      'nested',
      'suffixed',
      // A closure built on each call of the function around it, whose binding esbuild suffixed to avoid a
      // collision: it keeps the binding's name rather than pay a defineProperty per call.
      'failed3',
      'other',
    ]);
  });

  it('drops the wraps that restate a name and keeps the ones that change it', () => {
    const kept = [...dropped.matchAll(/__name\([^,]+, "([^"]+)"\)/g)].map((match) => match[1]);
    // `renamed2`, an argument (no name of its own), a named function expression, a different name, a
    // class esbuild renamed, a module-level function esbuild renamed (it runs once), and a per-call
    // closure whose name is not its binding's with a suffix.
    expect(kept).toEqual([
      'renamed',
      'argument',
      'otherName',
      'notMismatch',
      'Collided',
      'suffixed',
      'other',
    ]);
  });

  it('keeps every position, so the source map still fits', () => {
    expect(dropped).toHaveLength(BUNDLE.length);
    expect(dropped.split('\n').map((line) => line.length)).toEqual(
      BUNDLE.split('\n').map((line) => line.length),
    );
  });

  it('leaves a statement that is the body of an if alone', () => {
    const code = 'function f() {}\nif (globalThis.x) __name(f, "f");\nnames.push(f.name);';
    expect(dropRedundantNames(code)).toBe(code);
  });
});
