import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The `tinkex` bin as npm links it: builds dist when a source is newer, then runs dist/cli/main.js. */
export const BIN = fileURLToPath(new URL('../../../bin/tinkex.mjs', import.meta.url));

export interface CliResult {
  code: number | null;
  /** Set when the child died of a signal instead of exiting. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  /** Added to a minimal environment (`TINKER_LOG: 'off'` unless given); `undefined` leaves a name unset. */
  env: Record<string, string | undefined>;
}

/**
 * Run the built `tinkex` CLI in a child process, as a person would. Asynchronous on purpose: an
 * emulator in the test process must keep answering meanwhile. The first run in a fresh clone builds
 * dist (once; concurrent runs wait for that build), so call `buildCli()` in a `beforeAll` with a
 * generous timeout.
 */
export function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  return startCli(args, options).done;
}

/** Build dist if it is stale (a no-op when it is current). */
export async function buildCli(): Promise<void> {
  const result = await runCli(['--version'], { cwd: process.cwd(), env: {} });
  if (result.code !== 0) throw new Error(`building the CLI failed:\n${result.stderr}`);
}

/** Start the CLI and return the child (to signal it) and its result. */
export function startCli(
  args: string[],
  options: CliOptions & { stdin?: 'ignore' | 'pipe' },
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', TINKER_TELEMETRY: '0', TINKER_LOG: 'off', ...options.env },
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}
