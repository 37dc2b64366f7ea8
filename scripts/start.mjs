// `npm start [-- --steps=3 --json]`: `tinkex quickstart` through the tinkex bin, which builds the kernel,
// the emulator and Tinkex first when their sources changed. Runs against the bundled emulator, or a real
// deployment when TINKER_BASE_URL and TINKER_API_KEY are set. Arguments go to the quickstart.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../examples/tinkex/bin/tinkex.mjs', import.meta.url));
const result = spawnSync(process.execPath, [bin, 'quickstart', ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
