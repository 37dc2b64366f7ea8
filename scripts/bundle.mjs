// The runtime half of the build: bundle a package's compiled modules (tsc's output in dist/modules) into
// one ES module per entry point in dist/, plus shared and lazily imported chunks in dist/chunks. Why:
// Node keeps every loaded ES module's source, scope and linking data for the life of the process, and
// `import('tinkex')` used to load ~500 of them (200 from @sinclair/typebox, 66 from @bufbuild/protobuf,
// ~230 of our own): ~16 MiB of RSS before the first request, more at the fan-out's peak, because V8 sizes
// the old generation from the live heap (docs/performance-notes.md, issue 16).
// Inlined: our own modules and the packages in INLINE, whose module instances nobody compares: TypeBox
// marks schemas with Symbol.for keys, protobuf-es messages are plain objects tagged by type name and its
// reflection uses Symbol.for, OpenTelemetry's API finds the app's providers through a Symbol.for global
// (made for several copies in one process), and ajv's and cockatiel's objects never leave the kernel.
// Every other package stays an import: tsyringe (its decorators and its container must be one instance),
// undici (the app's dispatcher), pristine-kernel in Tinkex (one identity for `instanceof` on the kernel's
// errors), the lazily loaded packages (they must stay lazy) and the small CommonJS ones.
// Usage: node scripts/bundle.mjs <package dir> <entry>… (paths as in scripts/build.mjs, which runs it
// after tsc).
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild-wasm';
import { dropRedundantNames } from './bundle-names.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Packages compiled into the bundles rather than imported at run time. */
export const INLINE = ['@sinclair/typebox', '@bufbuild/protobuf', 'ajv', 'cockatiel', '@opentelemetry/api'];

const NOTICES = 'THIRD-PARTY-NOTICES.txt';

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
export function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Bare imports of a package outside INLINE (and of Node's built-ins) stay imports; anything else bare
 * must be declared by the package, so an undeclared dependency fails the build instead of being inlined.
 */
function externals(manifest) {
  const declared = new Set(
    ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'].flatMap((field) =>
      Object.keys(manifest[field] ?? {}),
    ),
  );
  return {
    name: 'externals',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('node:') || builtinModules.includes(args.path)) return { external: true };
        const name = packageName(args.path);
        if (INLINE.includes(name)) return undefined;
        // An inlined package's own dependencies come with it.
        if (args.importer.includes('/node_modules/')) return undefined;
        if (!declared.has(name)) return { errors: [{ text: `${name} is not declared in package.json` }] };
        return { external: true };
      });
    },
  };
}

/**
 * For a package that ships no license file: the standard text of its declared license where we keep one
 * (Apache-2.0 asks redistributors to include a copy), else where its terms are published.
 */
function standardText(manifest) {
  const where = `The package ships no license file; its terms: ${manifest.license}, at ${manifest.repository?.url ?? manifest.homepage}.`;
  // The declared license may be an SPDX expression such as "(Apache-2.0 AND BSD-3-Clause)".
  const ids = String(manifest.license).match(/[\w.+-]+/g) ?? [];
  const texts = ids
    .filter((id) => !['AND', 'OR', 'WITH'].includes(id))
    .map((id) => join(root, 'scripts', 'licenses', `${id}.txt`))
    .filter((file) => existsSync(file))
    .map((file) => readFileSync(file, 'utf8').trim());
  return [where, ...texts].join('\n\n');
}

/** The license texts of the inlined packages, which ship inside our bundles and so with our package. */
function notices(metafile) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) dirs.add(match[1]);
  }
  return [...dirs]
    .sort()
    .map((dir) => {
      const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
      const file = readdirSync(join(root, dir)).find((f) => /^(license|licence|copying)/i.test(f));
      const text = file ? readFileSync(join(root, dir, file), 'utf8').trim() : standardText(manifest);
      return `${manifest.name}@${manifest.version}, license ${manifest.license}\n\n${text}\n`;
    })
    .join(`\n${'-'.repeat(72)}\n\n`);
}

/** ASCII spellings of the characters our comments use; anything else becomes `U+XXXX`. */
const ASCII_SPELLING = {
  '\u2192': '->',
  '\u2190': '<-',
  '\u2264': '<=',
  '\u2265': '>=',
  '\u2212': '-',
  '\u2013': '-',
  '\u2014': '--',
  '\u2026': '...',
  '\u00b5': 'u',
  '\u00d7': 'x',
  '\u2018': "'",
  '\u2019': "'",
  '\u201c': '"',
  '\u201d': '"',
};

/**
 * `code` with the non-ASCII characters of its comment lines spelled in ASCII. Why: V8 keeps each loaded
 * module's source for the life of the process, and a source with one character beyond Latin-1 is stored
 * two bytes per character, so one `≤` in a comment doubled the kernel bundle's 0.8 MB in the heap.
 * esbuild escapes such characters in code, not in the comments it keeps. Only whole comment lines are
 * rewritten (they carry no source-map mappings); anything non-ASCII left fails the build.
 */
export function asciiComments(code, file = 'bundle') {
  const lines = code.split('\n');
  return lines
    .map((line, index) => {
      if (!/[\u0080-\uffff]/.test(line)) return line;
      const comment = /^\s*(\/\/|\/\*|\*)/.test(line) && !/\*\/(?!\s*$)/.test(line);
      if (!comment) throw new Error(`${file}:${index + 1}: non-ASCII character outside a comment line`);
      return line.replace(
        /[\u{80}-\u{10ffff}]/gu,
        (char) =>
          ASCII_SPELLING[char] ?? `U+${char.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
      );
    })
    .join('\n');
}

/**
 * Bundle one package: dist/modules/<entry> → dist/<entry> for each entry point (paths relative to dist/),
 * dist/chunks/* (code they share, and each dynamically imported module), source maps, notices.
 */
export async function bundle(dir, entries) {
  const pkg = join(root, dir);
  const dist = join(pkg, 'dist');
  const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
  rmSync(join(dist, 'chunks'), { recursive: true, force: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: entries.map((entry) => ({
      in: join(dist, 'modules', entry),
      out: entry.replace(/\.js$/, ''),
    })),
    outdir: dist,
    bundle: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Maps back through tsc's maps to the TypeScript sources (as tsc's own output did), so stack traces
    // under --enable-source-maps name src/ files and lines. The sources are embedded (tsc's
    // inlineSources, then here): a package holds no src/, so a map that only named them pointed
    // debuggers and bundlers' source-map loaders at files an installed package does not have.
    sourcemap: 'linked',
    sourcesContent: true,
    legalComments: 'eof',
    // Names stay as written (no minification), so stack traces without source maps still read well, and
    // classes keep their `name` where bundling renames their binding (a collision, such as the kernel's
    // ValidationError with ajv's, or a class esbuild rewrites): error names are API. The wraps that
    // only restate a name are dropped afterwards (bundle-names.mjs): they ran per call.
    minify: false,
    keepNames: true,
    metafile: true,
    logLevel: 'warning',
    plugins: [externals(manifest)],
  });
  for (const output of Object.keys(result.metafile.outputs).filter((file) => file.endsWith('.js'))) {
    const path = join(root, output);
    writeFileSync(path, dropRedundantNames(asciiComments(readFileSync(path, 'utf8'), output)));
  }
  const text = notices(result.metafile);
  const noticesPath = join(dist, NOTICES);
  if (text) writeFileSync(noticesPath, `Third-party code compiled into ${manifest.name}'s dist/:\n\n${text}`);
  else if (existsSync(noticesPath)) rmSync(noticesPath);
  return result.metafile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dir, ...entries] = process.argv.slice(2);
  try {
    await bundle(dir, entries);
  } catch (error) {
    // esbuild has already printed the errors.
    if (!error?.errors) process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  }
}
