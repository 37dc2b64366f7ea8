import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const LOADER = fileURLToPath(new URL('./ts-loader.mjs', import.meta.url));

/** How a spawned script ended: its code (null when killed), the signal, and all it printed. */
export interface ScriptExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

export interface SpawnedScript {
  /** Settles with the first JSON line printed to stdout for which `match` holds. */
  line(match: (event: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** Writes one line to the script's stdin. */
  send(line: string): void;
  /**
   * Settles once the script exited by itself; if it has not within `killAfterMs` (a hang guard, not a
   * timing assertion: generous), it is SIGKILLed and the exit says so (code null, signal SIGKILL).
   */
  exited: Promise<ScriptExit>;
}

/**
 * Runs a TypeScript script (through ts-loader.mjs) with `env` added, printing JSON lines to stdout. The
 * test waits for the lines it prints, never for time; the process is left to exit on its own.
 */
export function spawnScript(file: string, env: Record<string, string>, killAfterMs = 60_000): SpawnedScript {
  const child = spawn(process.execPath, ['--import', LOADER, file], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '', ...env },
  });
  let output = '';
  let pending = '';
  const events: Record<string, unknown>[] = [];
  const watchers = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      try {
        events.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        continue; // not one of the script's events
      }
    }
    for (const watcher of watchers) watcher();
  });
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const guard = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  const exited = new Promise<ScriptExit>((resolve) =>
    child.once('close', (code, signal) => {
      clearTimeout(guard);
      for (const watcher of watchers) watcher();
      resolve({ code, signal, output });
    }),
  );
  return {
    exited,
    send: (line) => void child.stdin.write(`${line}\n`),
    line: (match) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const event = events.find(match);
          if (event) {
            watchers.delete(check);
            resolve(event);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            watchers.delete(check);
            reject(new Error(`the script ended without that line; output:\n${output}`));
          }
        };
        watchers.add(check);
        check();
      }),
  };
}

/** A real HTTP server on 127.0.0.1 port 0 answering every request 200 `{}`, after `before` settles. */
export async function answeringServer(before: () => Promise<void> = async () => {}) {
  const server = http.createServer((req, res) => {
    req.resume();
    void before().then(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Calls `before` for each later request instead. */
    answerAfter(next: () => Promise<void>) {
      before = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
