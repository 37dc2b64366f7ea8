// Runs the emulator in its own process so the client under test does not share its event loop.
// argv[2]: chaos spec (may be empty); argv[3]: optional JSON of further emulator options.
import { startEmulator } from 'tinker-emulator';
import { threadCpuUs } from './lib.mjs';

const extra = process.argv[3] ? JSON.parse(process.argv[3]) : {};
const emulator = await startEmulator({ seed: 1, chaos: process.argv[2] || undefined, ...extra });
process.stdout.write(`${emulator.url}\n`);
// A parent that crashed never says 'stop': its IPC channel closing is the signal, so no emulator is orphaned.
process.on('disconnect', () => process.exit(0));
process.on('message', async (m) => {
  if (m === 'stop') {
    await emulator.close();
    process.exit(0);
  }
  // The emulator shares the machine's cores with the client: its CPU and the requests it answered
  // (by path) show what one protocol costs the server side, and how many polls a sample took.
  if (m === 'stats') {
    const requests = {};
    for (const { path } of emulator.state.requests) requests[path] = (requests[path] ?? 0) + 1;
    const cpu = process.cpuUsage();
    process.send({ stats: { cpu_us: cpu.user + cpu.system, threads: threadCpuUs(), requests } });
  }
});
