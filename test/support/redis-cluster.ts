import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closedPort } from './closed-port.js';
import { spawnRedis } from './redis-server.js';

/**
 * A throwaway Redis Cluster of three masters on 127.0.0.1 (no replicas, no persistence, one temp dir),
 * for the tests that check the fleet limits on a cluster. Started once per test file (in `beforeAll`);
 * `stop()` (in `afterAll`, which jest runs also when tests fail) kills every node and removes the dir,
 * a start that fails half-way stops the nodes it had started, and the worker's exit kills any left.
 */
export class RedisCluster {
  private readonly children: ChildProcess[] = [];
  /** Kills the nodes if the worker exits without `stop()` (a test file that failed before its hook). */
  private readonly onExit = () => {
    for (const child of this.children) child.kill('SIGKILL');
  };
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'pristine-redis-cluster-'));

  private constructor(readonly ports: number[]) {}

  /** A seed node's URL; the client discovers the others from it. */
  get url(): string {
    return `redis://127.0.0.1:${this.ports[0]}`;
  }

  static async start(): Promise<RedisCluster> {
    const ports = [await closedPort(), await closedPort(), await closedPort()];
    const cluster = new RedisCluster(ports);
    process.once('exit', cluster.onExit);
    try {
      const started = await Promise.allSettled(ports.map((port) => cluster.spawnNode(port)));
      for (const result of started) if (result.status === 'rejected') throw result.reason;
      const create = spawnSync(
        'redis-cli',
        ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-yes'],
        { encoding: 'utf8', timeout: 30_000 },
      );
      if (create.status !== 0) throw new Error(`cluster create failed:\n${create.stdout}${create.stderr}`);
      await cluster.untilOk();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  async stop(): Promise<void> {
    process.off('exit', this.onExit);
    await Promise.all(
      this.children.map((child) => {
        if (child.exitCode !== null || child.signalCode !== null) return undefined;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        return exited;
      }),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Every node agrees the cluster is up (slots spread, gossip settled). */
  private async untilOk(): Promise<void> {
    for (let i = 0; i < 500; i++) {
      const states = this.ports.map(
        (port) =>
          spawnSync('redis-cli', ['-p', String(port), 'cluster', 'info'], { encoding: 'utf8' }).stdout,
      );
      if (states.every((info) => info.includes('cluster_state:ok'))) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('the cluster never reached cluster_state:ok');
  }

  private async spawnNode(port: number): Promise<void> {
    const dir = path.join(this.dir, String(port));
    mkdirSync(dir);
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    args.push('--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--dir', dir);
    this.children.push(await spawnRedis(args));
  }
}
