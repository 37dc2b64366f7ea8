// `npm start [-- --steps=3 --json]`: `tinkex quickstart` through the tinkex bin, which builds the kernel,
// the emulator and Tinkex first when their sources changed. Runs against the bundled emulator, or a real
// deployment when TINKER_BASE_URL and TINKER_API_KEY are set. Arguments go to the quickstart.
// The bin runs in this process (not a child): one Node start-up less before the first training step.
import { fileURLToPath, pathToFileURL } from 'node:url';

const bin = fileURLToPath(new URL('../examples/tinkex/bin/tinkex.mjs', import.meta.url));
process.argv = [process.argv[0], bin, 'quickstart', ...process.argv.slice(2)];
await import(pathToFileURL(bin).href);
