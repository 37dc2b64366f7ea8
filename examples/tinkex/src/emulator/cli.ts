import { startEmulator } from './index.js';

/**
 * `tinkex emulator [--port 0] [--host 127.0.0.1] [--seed N] [--chaos SPEC]`: prints
 * `listening on http://HOST:PORT` as the first stdout line and runs until SIGINT or SIGTERM.
 */
export async function runEmulatorCli(argv: string[]): Promise<void> {
  const flag = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const emulator = await startEmulator({
    port: Number(flag('port') ?? 0),
    host: flag('host') ?? '127.0.0.1',
    seed: Number(flag('seed') ?? 0),
    chaos: flag('chaos'),
  });
  process.stdout.write(`listening on ${emulator.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await emulator.close();
}
