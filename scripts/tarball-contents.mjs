// What a published tarball must and must not hold, checked on `npm pack`'s file list (pack-install-check
// runs it on every package, test/release/tarball-contents.test.ts on the rules themselves): a user needs
// the README, LICENSE, CHANGELOG and declarations; tests, sources, build caches and secrets stay home.

/** Files every package ships at its root. */
export const REQUIRED_FILES = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'];

/** Paths no tarball may contain, each with why. */
const FORBIDDEN = [
  [/(^|\/)(test|tests|__tests__|__mocks__)\//, 'a test folder'],
  [/\.(test|spec|e2e)\.[cm]?[jt]sx?$/, 'a test file'],
  [/^src\//, 'the sources'],
  [/\.tsbuildinfo$/, 'a TypeScript build cache'],
  [/(^|\/)\.env(\.|$)/, 'an environment file'],
  [/(^|\/)\.npmrc$/, 'an npm config (it may hold a registry token)'],
  [/\.(pem|key|p12|pfx)$|(^|\/)id_(rsa|ed25519)/, 'a key or certificate'],
];

/**
 * The problems of a tarball holding `files` (paths relative to the package root, as `npm pack --json`
 * lists them) of the package described by `manifest` (its package.json): a required file missing, a
 * forbidden one present, a `bin` or `types` target not shipped, or JavaScript in dist/ without its
 * declarations. Empty when the tarball is fine.
 */
export function tarballProblems(files, manifest = {}) {
  const set = new Set(files);
  const bins = typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin ?? {});
  const shipped = (target) => set.has(target.replace(/^\.\//, ''));
  const problems = REQUIRED_FILES.filter((f) => !set.has(f)).map((f) => `${f} is missing`);
  for (const file of files) {
    const hit = FORBIDDEN.find(([pattern]) => pattern.test(file));
    if (hit) problems.push(`${file} is ${hit[1]}`);
  }
  const js = files.filter((f) => /^dist\/.+\.js$/.test(f) && !f.startsWith('dist/chunks/'));
  if (js.length > 0 && !files.some((f) => f.endsWith('.d.ts')))
    problems.push('dist/ has no .d.ts declarations');
  if (set.has('dist/index.js') && !set.has('dist/index.d.ts')) problems.push('dist/index.d.ts is missing');
  for (const bin of bins) if (!shipped(bin)) problems.push(`the bin ${bin} is missing`);
  for (const [subpath, entry] of Object.entries(manifest.exports ?? {})) {
    if (typeof entry !== 'object' || !entry.types) continue;
    if (!shipped(entry.types)) problems.push(`the declarations ${entry.types} are missing`);
    // TypeScript's `node10` resolution (`"module": "commonjs"`, still the commonest CommonJS setup)
    // ignores `exports`: a subpath's declarations need a `typesVersions` entry, else `tinkex/regularizers`
    // (and pristine-kernel/protobuf, which Tinkex's own declarations import) cannot be found.
    const key = subpath.replace(/^\.\//, '');
    if (subpath !== '.' && !manifest.typesVersions?.['*']?.[key]?.includes(entry.types))
      problems.push(`typesVersions does not map ${key} to ${entry.types} (node10 resolution)`);
  }
  return problems;
}
