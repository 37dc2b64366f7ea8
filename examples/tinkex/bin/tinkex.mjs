#!/usr/bin/env node
// The `tinkex` bin. npm links a bin only if its file exists at install time, and nothing is built by
// `npm ci`, so the bin is this committed file: it runs the compiled CLI (dist/cli/main.js), and inside
// the repository it first (re)builds the kernel, the emulator and Tinkex when a source is newer than
// their build (tsc, one project at a time, a few seconds; skipped when nothing changed). An installed
// package has no sources and runs its dist as it is.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(pkg, '..', '..');

/** Newest modification time of a file or of the files under a folder (0 if it does not exist). */
function newest(dir) {
  let latest = 0;
  if (!existsSync(dir)) return latest;
  if (statSync(dir).isFile()) return statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

const STAMP = '.tinkex-build-stamp';
const builtAt = (dir) =>
  existsSync(join(dir, 'dist', STAMP)) ? statSync(join(dir, 'dist', STAMP)).mtimeMs : -1;

/** Build the stale projects (and what depends on them) in order; returns false if tsc failed. */
function buildIfStale() {
  const projects = [join(root), join(root, 'examples', 'tinker-emulator'), pkg];
  let rebuildRest = false;
  for (const dir of projects) {
    const config = join(dir, 'tsconfig.build.json');
    if (!existsSync(config)) continue;
    const stale = rebuildRest || newest(join(dir, 'src')) > builtAt(dir) || newest(config) > builtAt(dir);
    if (!stale) continue;
    rebuildRest = true;
    const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
    process.stderr.write(`tinkex: building ${dir === root ? 'the kernel' : dir.split(/[/\\]/).at(-1)}…\n`);
    const result = spawnSync(process.execPath, [tsc, '-p', config], { cwd: dir, stdio: ['ignore', 2, 2] });
    if (result.status !== 0) return false;
    writeFileSync(join(dir, 'dist', STAMP), '');
  }
  return true;
}

/** One build at a time: a second `tinkex` started meanwhile waits for the first build to finish. */
function withLock(work) {
  const lock = join(pkg, 'dist.lock');
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than five minutes belongs to a build that died; take it over.
      if (waited > 300_000 || Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 300_000) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    return work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

if (existsSync(join(pkg, 'src')) && !withLock(buildIfStale)) {
  process.stderr.write('tinkex: the build failed (see the errors above)\n');
  process.exit(1);
}
await import(pathToFileURL(join(pkg, 'dist', 'cli', 'main.js')).href);
