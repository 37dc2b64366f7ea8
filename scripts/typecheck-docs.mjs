// `npm run typecheck`'s second half: the code users copy from the docs, compiled under the strictest
// settings they turn on (tsconfig.docs.json: strict, noUncheckedIndexedAccess,
// exactOptionalPropertyTypes, skipLibCheck false) against the built declarations, as in their own app.
// That is the files the docs embed verbatim (tsconfig.docs.json's include) and every other ```ts block of
// README.md and docs/*.md (README's Pristine snippet, the fleet option in architecture.md, …), each
// written to a file of its own in a temporary app whose node_modules is the repository's: a new block is
// checked without anyone listing it. A block that is not meant to compile would need a ```text fence.
// Run `npm run build` (typecheck does, when stale) first.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const config = JSON.parse(
  readFileSync(join(root, 'tsconfig.docs.json'), 'utf8').replace(/^\s*\/\/.*$/gm, ''),
);

/** The files tsconfig.docs.json checks, absolute (its include patterns are `<dir>/*.ts`). */
const files = config.include.flatMap((pattern) => {
  const dir = join(root, dirname(pattern));
  return readdirSync(dir)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(dir, name));
});
const checked = files.map((file) => readFileSync(file, 'utf8'));

const BLOCK = /^```(?:ts|typescript)\n([\s\S]*?)^```$/gm;
const docs = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
/** Every ts block of the docs, each doc read once: its code and the line its code starts on. */
const all = docs.flatMap((doc) => {
  const source = readFileSync(join(root, doc), 'utf8');
  return [...source.matchAll(BLOCK)].map((m) => ({
    doc,
    code: m[1],
    line: source.slice(0, m.index).split('\n').length + 1,
  }));
});
// A file's body (an example minus its first line; a snippet whole) is checked as that file.
const blocks = all.filter(({ code }) => !checked.some((text) => text.endsWith(code)));

// Each file is some block's body: a parser that found no blocks would otherwise check nothing more.
const unmatched = files.filter((_, i) => !all.some(({ code }) => checked[i].endsWith(code)));
if (unmatched.length > 0) {
  process.stderr.write(`docs typecheck: no ts block of the docs is the body of ${unmatched.join(', ')}\n`);
  process.exit(1);
}

const app = mkdtempSync(join(tmpdir(), 'docs-typecheck-'));
try {
  symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'), 'dir');
  writeFileSync(join(app, 'package.json'), '{ "type": "module" }\n');
  const names = blocks.map(({ doc, code }, i) => {
    const name = `${doc.replace(/[/.]/g, '_')}_${i}.ts`;
    // Each block is a module of its own (top-level await, no globals shared between blocks).
    writeFileSync(join(app, name), `${code}export {};\n`);
    return name;
  });
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({ extends: join(root, 'tsconfig.docs.json'), include: [], files: [...files, ...names] }),
  );
  const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(app, 'tsconfig.json')], {
    cwd: app,
    encoding: 'utf8',
  });
  // Name each extracted block by its doc, not the temporary file.
  let out = `${result.stdout}${result.stderr}`.replaceAll(`${relative(app, root)}/`, '');
  names.forEach(
    (name, i) => (out = out.replaceAll(name, `${blocks[i].doc} (the block at line ${blocks[i].line})`)),
  );
  process.stdout.write(out);
  process.stdout.write(
    `docs typecheck: ${files.length} files, ${blocks.length} other blocks of README.md and docs/*.md\n`,
  );
  process.exitCode = result.status ?? 1;
} finally {
  rmSync(app, { recursive: true, force: true });
}
