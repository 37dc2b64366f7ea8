// Runs the emulator in its own process so the client under test does not share its event loop.
import { startEmulator } from '../examples/tinkex/dist/emulator/index.js';

const emulator = await startEmulator({ seed: 1, chaos: process.argv[2] || undefined });
process.stdout.write(`${emulator.url}\n`);
process.on('message', async (m) => {
  if (m === 'stop') {
    await emulator.close();
    process.exit(0);
  }
});
