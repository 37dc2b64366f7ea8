import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/**
 * Run the CLI with stdout and stderr into one file, in the order written (as a terminal shows them);
 * the lines, without the last newline.
 */
export async function runCliMerged(
  args: string[],
  options: CliOptions,
): Promise<{ code: number | null; lines: string[] }> {
  // Beside the working folder, not in it: a test may check what a command left there.
  const file = join(tmpdir(), `tinkex-merged-${process.pid}-${process.hrtime.bigint()}.txt`);
  const fd = openSync(file, 'w');
  try {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', TINKER_TELEMETRY: '0', TINKER_LOG: 'off', ...options.env },
      stdio: ['ignore', fd, fd],
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    return { code, lines: (await readFile(file, 'utf8')).trimEnd().split('\n') };
  } finally {
    closeSync(fd);
    await rm(file, { force: true });
  }
}

/** The CLI against a loopback API server of the test's own, in a scratch working folder. */
export interface CliAgainstServer {
  /** The server's `http://127.0.0.1:<port>`, the CLI's TINKER_BASE_URL. */
  readonly base: string;
  /** The CLI's working folder (empty unless a command writes there). */
  readonly work: string;
  /** `tinkex <args>` with TINKER_BASE_URL, TINKER_API_KEY and `env` (`TINKER_LOG: undefined`: the CLI's default). */
  run(args: string[], env?: CliOptions['env']): Promise<CliResult>;
  /** The same, stdout and stderr merged in the order written. */
  merged(args: string[], env?: CliOptions['env']): Promise<{ code: number | null; lines: string[] }>;
  close(): Promise<void>;
}

/**
 * Start `handler` on 127.0.0.1 port 0, build the CLI if stale and make a scratch folder: call it in a
 * `beforeAll` with a generous timeout (the first build), and `close()` in the `afterAll`.
 */
export async function cliAgainst(
  handler: RequestListener,
  { apiKey = 'tml-cli-test', name = 'cli' }: { apiKey?: string; name?: string } = {},
): Promise<CliAgainstServer> {
  const server = createServer(handler);
  await Promise.all([new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)), buildCli()]);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const work = await mkdtemp(join(tmpdir(), `tinkex-${name}-`));
  const options = (env: CliOptions['env']) => ({
    cwd: work,
    env: { TINKER_BASE_URL: base, TINKER_API_KEY: apiKey, ...env },
  });
  return {
    base,
    work,
    run: (args, env = {}) => runCli(args, options(env)),
    merged: (args, env = {}) => runCliMerged(args, options(env)),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(work, { recursive: true, force: true });
    },
  };
}
