// `npm run build` (also the root `prepare`, so `npm ci` leaves every package importable): compile each
// published package with its own tsconfig.build.json, the kernel first because the others type-check
// against its emitted declarations (they import it by package name, as an installed app does).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const PACKAGES = ['packages/kernel', 'examples/tinker-emulator', 'examples/tinkex'];
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

export function build(dirs = PACKAGES) {
  for (const dir of dirs) {
    const project = join(root, dir, 'tsconfig.build.json');
    if (!existsSync(project)) continue;
    const result = spawnSync(process.execPath, [tsc, '-p', project], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) {
      process.stderr.write(`build failed in ${dir}\n`);
      process.exit(result.status ?? 1);
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stderr.write('building pristine, tinker-emulator and tinkex…\n');
  build();
}
