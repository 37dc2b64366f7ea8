import { startEmulator } from './emulator.js';

export const USAGE = `Usage: tinker-emulator [--port 0] [--host 127.0.0.1] [--seed N] [--chaos SPEC]
(also: tinkex emulator …). Prints "listening on http://HOST:PORT" first and runs until SIGINT or SIGTERM.
`;

/**
 * `tinker-emulator [--port 0] [--host 127.0.0.1] [--seed N] [--chaos SPEC]`: prints
 * `listening on http://HOST:PORT` as the first stdout line and runs until SIGINT or SIGTERM.
 * Resolves to the process exit code.
 */
export async function runEmulatorCli(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    out.write(USAGE);
    return 0;
  }
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
  out.write(`listening on ${emulator.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await emulator.close();
  return 0;
}
