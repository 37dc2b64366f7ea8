// The module specifiers a JavaScript, TypeScript or declaration file imports: `import … from '…'`,
// `export … from '…'`, `import '…'` and `import('…')`, across lines. Comments are stripped first, so an
// example in a doc comment is not an import. Shared by the import-cycle check and the package-imports
// check.
import { readFileSync } from 'node:fs';

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)(['"])([^'"\n]+)\1/g;

/** The specifiers `text` imports, in order (repeats kept). */
export function importSpecifiers(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...code.matchAll(SPECIFIER)].map((m) => m[2]);
}

/** The same for the file at `path`. */
export function fileImportSpecifiers(path) {
  return importSpecifiers(readFileSync(path, 'utf8'));
}
