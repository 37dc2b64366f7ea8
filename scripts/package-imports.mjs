// The packages a shipped package's files import by name, checked against what its package.json declares
// (pack-install-check runs it on every installed package, test/release/package-imports.test.ts on the
// repository's builds). npm's flat node_modules lets a file import a package only a dependency declares;
// pnpm, Yarn PnP and `npm install --install-strategy=linked` do not: Tinkex's declarations named
// `@sinclair/typebox` (the kernel's dependency, not Tinkex's), which such an app's TypeScript could not
// find (304 TS2307 errors under `skipLibCheck: false`, every schema type silently `any` under `true`).
import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import { importSpecifiers } from './import-specifiers.mjs';

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The entry files (relative to the package) its `exports` map names under `condition`. */
function entries(manifest, condition) {
  const out = [];
  for (const entry of Object.values(manifest.exports ?? {})) {
    if (typeof entry === 'object' && typeof entry[condition] === 'string') out.push(entry[condition]);
  }
  return out.map((path) => normalize(path));
}

/**
 * Follows relative imports from the package's `types` (or `import`) entry points through the files it
 * ships under `dir`, and returns `file: package` for each package imported by name that the manifest
 * does not declare (dependencies, peer or optional dependencies) and Node does not provide. Only files
 * an importer can reach count: a declaration no entry point reaches is never read by a user's compiler.
 */
export function undeclaredImports(dir, manifest, condition = 'types') {
  const declared = new Set([
    manifest.name,
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {}),
  ]);
  const seen = new Set();
  const queue = entries(manifest, condition);
  const problems = [];
  while (queue.length > 0) {
    const file = queue.shift();
    if (seen.has(file)) continue;
    seen.add(file);
    let text;
    try {
      text = readFileSync(join(dir, file), 'utf8');
    } catch {
      continue; // a missing entry is tarballProblems' to report
    }
    for (const specifier of importSpecifiers(text)) {
      if (specifier.startsWith('.')) {
        const target = normalize(join(dirname(file), specifier));
        queue.push(condition === 'types' ? target.replace(/\.js$/, '.d.ts') : target);
      } else if (!isBuiltin(specifier) && !declared.has(packageOf(specifier))) {
        problems.push(`${file}: ${packageOf(specifier)}`);
      }
    }
  }
  return [...new Set(problems)];
}
