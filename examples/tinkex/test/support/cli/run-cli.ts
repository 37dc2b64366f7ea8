import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Runs the sources through the workspace's swc loader, so tests need no build (same code as dist).
const loader = fileURLToPath(new URL('../../../../../test/support/ts-loader.mjs', import.meta.url));
const main = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));

export interface CliResult {
  code: number | null;
  /** Set when the child died of a signal instead of exiting. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Run the real `tinkex` CLI (`src/cli/main.ts`, compiled on the fly) in a child process, as a person
 * would. Asynchronous on purpose: an emulator in the test process must keep answering meanwhile.
 */
export function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  return startCli(args, options).done;
}

export interface CliOptions {
  cwd: string;
  env: Record<string, string>;
}

/** Start the CLI and return the child (to signal it) and its result. */
export function startCli(
  args: string[],
  options: CliOptions,
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, ['--import', loader, main, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', TINKER_TELEMETRY: '0', TINKER_LOG: 'off', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
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
