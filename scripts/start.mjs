// `npm start`: build the kernel, the emulator and Tinkex, then run the Tinkex quickstart against the embedded
// emulator (or a real deployment when TINKER_BASE_URL and TINKER_API_KEY are set). Extra args go to the
// quickstart.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
process.stderr.write('building pristine, tinker-emulator and tinkex…\n');
run(process.execPath, [tsc, '-p', 'tsconfig.build.json']);
run(process.execPath, [tsc, '-p', 'examples/tinker-emulator/tsconfig.build.json']);
run(process.execPath, [tsc, '-p', 'examples/tinkex/tsconfig.build.json']);
run(process.execPath, [
  join(root, 'examples/tinkex/dist/cli/main.js'),
  'quickstart',
  ...process.argv.slice(2),
]);
