#!/usr/bin/env node
// The `tinkex` bin. npm links a bin only if its file exists at install time, so the bin is this committed
// file rather than dist/cli/main.js: it runs the compiled CLI. Inside the repository (a checkout has src/
// and the root's scripts/build.mjs; an installed package has neither) it first rebuilds the packages
// whose sources changed since their last build (a few seconds; nothing when they did not), so the CLI
// never runs stale code after an edit.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const buildScript = join(pkg, '..', '..', 'scripts', 'build.mjs');
if (existsSync(join(pkg, 'src')) && existsSync(join(pkg, 'tsconfig.build.json')) && existsSync(buildScript)) {
  const { build } = await import(pathToFileURL(buildScript).href);
  if (!build({ ifStale: true })) {
    process.stderr.write('tinkex: the build failed (see the errors above)\n');
    process.exit(1);
  }
}
await import(pathToFileURL(join(pkg, 'dist', 'cli', 'main.js')).href);
