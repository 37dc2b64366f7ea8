import { beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildCli } from '../support/cli/run-cli.js';
import { loadedBy } from '../support/loaded-modules.js';

const TINKEX = fileURLToPath(new URL('../..', import.meta.url));
const KERNEL = join(TINKEX, '..', '..', 'packages', 'kernel');
const BUNDLE_SCRIPT = join(TINKEX, '..', '..', 'scripts', 'bundle.mjs');
// Packages loaded at first use (see lazy-imports.test.ts): compiled into a bundle they would load, and
// cost, with `import('tinkex')`.
const LAZY = ['@huggingface/', 'js-tiktoken', 'tar', 'got', 'hpagent', 'ioredis', '@bokuweb/zstd-wasm'];
const LAZY_TOO = ['@tensorflow/', 'commander', 'cli-table3', 'tinker-emulator'];

/** The built runtime files of a package (dist/ without tsc's per-file modules in dist/modules). */
function runtimeFiles(pkg: string, ext = '.js'): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? entry.name === 'modules' && dir === join(pkg, 'dist')
          ? []
          : walk(join(dir, entry.name))
        : entry.name.endsWith(ext)
          ? [join(dir, entry.name)]
          : [],
    );
  return walk(join(pkg, 'dist'));
}

/** The node_modules packages compiled into a bundle: esbuild heads each inlined file with its path. */
function inlinedPackages(pkg: string): string[] {
  const names = new Set<string>();
  for (const file of runtimeFiles(pkg)) {
    for (const [, name] of readFileSync(file, 'utf8').matchAll(
      /^\/\/ node_modules\/((?:@[^/]+\/)?[^/\n]+)\//gm,
    ))
      names.add(name);
  }
  return [...names].sort();
}

describe('the published packages load as a few bundled ES modules', () => {
  beforeAll(() => buildCli(), 120_000);

  it("import('tinkex') loads a handful of ES modules, not one per source file", () => {
    // Before bundling: 518 (200 TypeBox files, 66 protobuf-es, 126 kernel, 102 Tinkex), ~16 MiB of RSS.
    const files = loadedBy(join(TINKEX, 'dist', 'index.js')).esModules.filter((url) =>
      url.startsWith('file:'),
    );
    expect(files.length).toBeLessThanOrEqual(30);
    expect(
      files.filter((url) => /\/dist\/modules\/|@sinclair\/typebox|@bufbuild\/protobuf/.test(url)),
    ).toEqual([]);
  });

  it('loads reflect-metadata and tsyringe with require, not through the ESM loader', () => {
    // An ES import of a CommonJS file makes Node lex its source for export names first; for
    // reflect-metadata's 64 KB that lexing got TurboFan-compiled, and its scratch memory stayed:
    // 3–4 MiB more RSS after `import('tinkex')`. undici's parts are required too (undici-parts.ts).
    for (const entry of [join(TINKEX, 'dist', 'index.js'), join(KERNEL, 'dist', 'index.js')]) {
      const { commonJsImported, packages, stdout } = loadedBy(
        entry,
        'console.log(typeof Reflect.getMetadata, typeof (loaded.createKernel ?? loaded.ServiceClient));',
      );
      expect(commonJsImported).toEqual([]);
      // Both are still loaded at import: tsyringe needs the Reflect polyfill.
      expect(packages).toEqual(expect.arrayContaining(['reflect-metadata', 'tsyringe']));
      expect(stdout).toBe('function function\n');
    }
  });

  it('keeps every bundle ASCII, so V8 stores its source one byte per character', () => {
    // A single `≤` in a kept comment made V8 hold the kernel bundle's source as a two-byte string: 1.7 MB
    // instead of 0.8 MB for the life of every process (scripts/bundle.mjs spells comments in ASCII).
    for (const pkg of [KERNEL, TINKEX]) {
      const files = runtimeFiles(pkg).filter((file) => /[\u0080-\uffff]/.test(readFileSync(file, 'utf8')));
      expect(files).toEqual([]);
    }
  });

  it('spells non-ASCII comment lines in ASCII and refuses non-ASCII anywhere else', () => {
    const run = (code: string) =>
      spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { asciiComments } from ${JSON.stringify(pathToFileURL(BUNDLE_SCRIPT).href)};\n` +
            `process.stdout.write(asciiComments(${JSON.stringify(code)}, 'x.js'));`,
        ],
        { encoding: 'utf8' },
      );
    const code = '/**\n * costs µs ≤ 1 → 2, “quoted” ∑\n */\n  // a − b\nf("\\xB5");\n';
    expect(run(code).stdout).toBe(
      '/**\n * costs us <= 1 -> 2, "quoted" U+2211\n */\n  // a - b\nf("\\xB5");\n',
    );
    const refused = run('const a = "µ";\n');
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('x.js:1: non-ASCII character outside a comment line');
    // Only whole comment lines are rewritten: a line with code on it could hold the character in code.
    expect(run('/* µ */ const a = 1;\n').stderr).toContain('x.js:1: non-ASCII');
    expect(run('const a = 1; // µ\n').stderr).toContain('x.js:1: non-ASCII');
  });

  it('keeps the names of exported classes and functions (error names, stack traces)', () => {
    // Bundling renames top-level names (colliding ones, like the kernel's ValidationError and ajv's, and
    // classes it rewrites, like ServiceClient): without
    // esbuild's keepNames, `error.name` read `_ValidationError`.
    const { stdout } = loadedBy(
      join(TINKEX, 'dist', 'index.js'),
      `const kernel = await import(${JSON.stringify(pathToFileURL(join(KERNEL, 'dist', 'index.js')).href)});\n` +
        'for (const [key, value] of [...Object.entries(kernel), ...Object.entries(loaded)])\n' +
        "  if (typeof value === 'function' && value.name !== key) console.log(key + ' is named ' + value.name);",
    );
    // The one export under another name than its class's, on purpose.
    expect(stdout).toBe('InMemoryTransport is named MemoryTransport\n');
  });

  it('compiles TypeBox, protobuf-es, ajv, cockatiel and the OpenTelemetry API into the kernel', () => {
    expect(inlinedPackages(KERNEL)).toEqual(
      expect.arrayContaining([
        '@bufbuild/protobuf',
        '@opentelemetry/api',
        '@sinclair/typebox',
        'ajv',
        'cockatiel',
      ]),
    );
    const notices = readFileSync(join(KERNEL, 'dist', 'THIRD-PARTY-NOTICES.txt'), 'utf8');
    expect(notices).toMatch(/@sinclair\/typebox@[\d.]+, license MIT\n\n[\s\S]*Permission is hereby granted/);
    // protobuf-es ships no license file: Apache-2.0 still requires its text to travel with the code.
    expect(notices).toMatch(
      /@bufbuild\/protobuf@[\d.]+, license [^\n]*Apache-2\.0[\s\S]*Apache License\s+Version 2\.0/,
    );
  });

  it("takes protobuf-es from the kernel's bundle, so a process loads one copy", () => {
    // Compiled into both, the runtime's code, module scope and descriptor.proto's boot were loaded twice.
    expect(inlinedPackages(TINKEX)).not.toContain('@bufbuild/protobuf');
    const tinkexCode = runtimeFiles(TINKEX).map((file) => readFileSync(file, 'utf8'));
    expect(tinkexCode.some((code) => code.includes('from "pristine-kernel/protobuf"'))).toBe(true);
    expect(tinkexCode.filter((code) => code.includes('@bufbuild/protobuf'))).toEqual([]);
    // The kernel's own codec and the subpath share one copy (a chunk both import).
    const { esModules } = loadedBy(join(TINKEX, 'dist', 'index.js'));
    const kernelFiles = esModules.filter((url) => url.includes('/packages/kernel/dist/'));
    expect(kernelFiles.map((url) => url.replace(/^.*\/packages\/kernel\/dist\//, '')).sort()).toEqual([
      expect.stringMatching(/^chunks\/chunk-[\w-]+\.js$/),
      'index.js',
      'protobuf.js',
    ]);
  });

  it('keeps tsyringe, undici, the kernel and the lazily loaded packages out of every bundle', () => {
    const inlined = [...inlinedPackages(KERNEL), ...inlinedPackages(TINKEX)];
    const kept = ['tsyringe', 'undici', 'reflect-metadata', 'pristine-kernel', ...LAZY, ...LAZY_TOO];
    expect(inlined.filter((name) => kept.some((k) => name === k || name.startsWith(k)))).toEqual([]);
    // One kernel per process, so `instanceof` on its errors holds for apps: Tinkex imports it.
    const tinkexCode = runtimeFiles(TINKEX).map((file) => readFileSync(file, 'utf8'));
    expect(tinkexCode.some((code) => code.includes('from "pristine-kernel"'))).toBe(true);
    expect(tinkexCode.some((code) => /^\/\/ (packages\/kernel|src)\//m.test(code))).toBe(false);
  });

  it('maps the bundles back to the TypeScript sources, for readable stack traces', () => {
    for (const pkg of [KERNEL, TINKEX]) {
      const ours = runtimeFiles(pkg, '.js.map').flatMap((map) =>
        (JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] }).sources
          .filter((source) => !source.includes('node_modules/'))
          .map((source) => resolve(dirname(map), source)),
      );
      // (index.ts only re-exports, so it has no code to map.)
      expect(ours).toContain(
        pkg === KERNEL
          ? join(KERNEL, '..', '..', 'src', 'kernel', 'kernel.ts')
          : join(TINKEX, 'src', 'client', 'service-client.ts'),
      );
      expect(ours.filter((source) => !source.endsWith('.ts') || !existsSync(source))).toEqual([]);
    }
  });

  it('builds every exports subpath and bin target', () => {
    for (const pkg of [KERNEL, TINKEX]) {
      const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
      const exported = Object.values(manifest.exports as Record<string, string | { import: string }>).map(
        (target) => (typeof target === 'string' ? target : target.import),
      );
      for (const target of exported) expect(existsSync(join(pkg, target))).toBe(true);
    }
    const bin = readFileSync(join(TINKEX, 'bin', 'tinkex.mjs'), 'utf8');
    expect(bin).toContain("'dist', 'cli', 'main.js'");
    expect(existsSync(join(TINKEX, 'dist', 'cli', 'main.js'))).toBe(true);
  });
});
