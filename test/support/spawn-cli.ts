import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

const LOADER = fileURLToPath(new URL('./ts-loader.mjs', import.meta.url));

export interface SpawnedServer {
  url: string;
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** SIGTERM (or the signal given), then the exit code: 143 (130 after SIGINT) for a clean stop. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Spawn a TypeScript CLI entry (run from source through ts-loader.mjs) that prints
 * `listening on URL` first, and wait for that line. Rejects (after killing the child) if it exits
 * first or prints nothing within `deadlineMs` (a hang guard, not a timing assertion).
 */
export function spawnServer(entry: string, args: string[], deadlineMs = 60_000): Promise<SpawnedServer> {
  const child = spawn(process.execPath, ['--import', LOADER, entry, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let settled = false;
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${why}; output:\n${out}`));
    };
    const timer = setTimeout(() => fail('no "listening on" line in time'), deadlineMs);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)\n/.exec(out);
      if (!m || settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        url: m[1],
        child,
        output: () => out,
        stop: (signal = 'SIGTERM') => {
          child.kill(signal);
          return exited;
        },
      });
    });
    void exited.then((code) => fail(`exited with ${code} before listening`));
  });
}

/** Run a TypeScript CLI entry to completion; resolves with its exit code and output. */
export function runCli(
  entry: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', LOADER, entry, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** Whether anything accepts connections on the URL's port (a refused connection: nothing does). */
export function acceptsConnections(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
