import { describe } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closedPort } from './closed-port.js';

/** Is a `redis-server` binary on the PATH? (`scripts/ensure-redis.sh` installs Debian's package.) */
export const redisInstalled = spawnSync('redis-server', ['--version']).status === 0;

/**
 * `describe` for suites that need a real redis-server. Without one they are skipped with a message,
 * except in CI (CI=true), where a missing redis-server must fail loudly rather than skip.
 */
export function describeRedis(name: string, body: () => void): void {
  if (redisInstalled || process.env.CI === 'true') return describe(name, body);
  describe.skip(`${name} (skipped: redis-server is not installed; run scripts/ensure-redis.sh)`, body);
}

/**
 * A throwaway redis-server on 127.0.0.1 (no persistence, its own temp dir), started by the test that
 * needs it. `restart()` stops it and starts a fresh, empty one on the same port (for chaos tests).
 */
export class RedisServer {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'pristine-redis-'));

  private constructor(
    readonly port: number,
    private readonly password?: string,
  ) {}

  get url(): string {
    return `redis://${this.password ? `:${this.password}@` : ''}127.0.0.1:${this.port}`;
  }

  /** `password` makes the server require AUTH (and puts it in `url`). */
  static async start(options: { password?: string } = {}): Promise<RedisServer> {
    const server = new RedisServer(await closedPort(), options.password);
    await server.spawn();
    return server;
  }

  async restart(): Promise<void> {
    await this.halt();
    await this.spawn();
  }

  /** Stop the server, keeping its port and dir for `resume()`. */
  async halt(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    this.child = undefined;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Freeze the server (SIGSTOP): it keeps its connections and answers nothing, as a hung Redis. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  unpause(): void {
    this.child?.kill('SIGCONT');
  }

  async resume(): Promise<void> {
    await this.spawn();
  }

  async stop(): Promise<void> {
    await this.halt();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async spawn(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    if (this.password) args.push('--requirepass', this.password);
    this.child = await spawnRedis([...args, '--dir', this.dir]);
  }
}

/** Starts `redis-server` with `args`; settles once it accepts connections (its process, to kill). */
export function spawnRedis(args: string[]): Promise<ChildProcess> {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`redis-server did not start:\n${output}`)), 10_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`redis-server exited with ${code}:\n${output}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolve(child);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  });
}
