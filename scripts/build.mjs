// `npm run build` (also the root `prepare`, so `npm ci` leaves every package importable): compile each
// published package with its own tsconfig.build.json, the kernel first because the others type-check
// against its emitted declarations (they import it by package name, as an installed app does).
// `node scripts/build.mjs --if-stale` (what the `tinkex` and `tinker-emulator` bins run inside the
// repository) rebuilds only a package whose sources or build settings are newer than its last build, and
// the packages that use it. One build at a time: a second one started meanwhile waits for the first.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyPackageFiles } from './package-files.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The published packages in build order: the folder their sources live in, the packages whose
 * declarations they compile against (rebuilt after those), and the entry points scripts/bundle.mjs
 * bundles (relative to dist/; none: dist/ holds tsc's modules as they are).
 */
export const PACKAGES = [
  {
    dir: 'packages/kernel',
    src: 'src',
    uses: [],
    entries: ['index.js', 'protobuf.js'],
    guides: ['plugin-authoring.md', 'architecture.md', 'failure-semantics.md'],
  },
  {
    dir: 'examples/tinker-emulator',
    src: 'examples/tinker-emulator/src',
    uses: [],
    guides: ['emulator.md'],
  },
  {
    dir: 'examples/tinkex',
    src: 'examples/tinkex/src',
    uses: ['packages/kernel', 'examples/tinker-emulator'],
    entries: ['index.js', 'regularizers/index.js', 'cli/main.js'],
    guides: ['tinkex.md', 'configuration.md', 'failure-semantics.md', 'emulator.md'],
  },
];

const STAMP = '.build-stamp';
const LOCK = join(root, 'dist.lock');
// A lock older than this belongs to a build that died (a full build takes well under a minute).
const STALE_LOCK_MS = 300_000;

/** Newest modification time of a file or of the files under a folder (0 if it does not exist). */
function newest(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

function isStale({ dir, src }) {
  const builtAt = statSync(join(root, dir, 'dist', STAMP), { throwIfNoEntry: false })?.mtimeMs ?? -1;
  const inputs = [
    src,
    join(dir, 'tsconfig.build.json'),
    'tsconfig.base.json',
    'scripts/bundle.mjs',
    'scripts/bundle-names.mjs',
  ];
  return inputs.some((input) => newest(join(root, input)) > builtAt);
}

/**
 * tsc type-checks and writes the declarations to dist/ and one module per source file to dist/modules;
 * a package with bundled entry points (scripts/bundle.mjs) then gets them in dist/ from those modules.
 * dist/ starts empty, so nothing a previous layout left there ships or loads.
 */
function compile({ dir, entries }, output) {
  rmSync(join(root, dir, 'dist'), { recursive: true, force: true });
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const project = join(root, dir, 'tsconfig.build.json');
  const steps = [[tsc, '-p', project]];
  if (entries) steps.push([join(root, 'scripts', 'bundle.mjs'), dir, ...entries]);
  for (const args of steps) {
    const result = spawnSync(process.execPath, args, { cwd: root, stdio: output });
    if (result.status !== 0) return false;
  }
  writeFileSync(join(root, dir, 'dist', STAMP), '');
  return true;
}

function withLock(work) {
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      const age = Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > STALE_LOCK_MS || waited > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    return work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/**
 * Build the packages (all of them, or only the stale ones and those that use them). Compiler output goes
 * to stderr, so a bin's stdout stays its own. Returns false if a compilation failed.
 */
export function build({ ifStale = false } = {}) {
  return withLock(() => {
    const rebuilt = new Set();
    for (const pkg of PACKAGES) {
      if (!existsSync(join(root, pkg.dir, 'tsconfig.build.json'))) continue;
      if (ifStale && !isStale(pkg) && !pkg.uses.some((dir) => rebuilt.has(dir))) continue;
      rebuilt.add(pkg.dir);
      process.stderr.write(`building ${pkg.dir}…\n`);
      if (!compile(pkg, ['ignore', 2, 2])) {
        process.stderr.write(`build failed in ${pkg.dir} (see the errors above)\n`);
        return false;
      }
    }
    // Every build, stale or not: a guide may change without the code.
    for (const pkg of PACKAGES) if (existsSync(join(root, pkg.dir, 'dist'))) copyPackageFiles(root, pkg);
    return true;
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exit(build({ ifStale: process.argv.includes('--if-stale') }) ? 0 : 1);
}
