import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closedPort } from './closed-port.js';
import { spawnRedis } from './redis-server.js';

/** How a test cluster is made: `replicas` per master, and a short `nodeTimeoutMs` for a quick failover. */
export interface ClusterShape {
  replicas?: number;
  nodeTimeoutMs?: number;
}

/**
 * A throwaway Redis Cluster of three masters on 127.0.0.1 (optionally a replica or more each; no
 * persistence, one temp dir), for the tests that check the fleet limits on a cluster. Started once per
 * test file (in `beforeAll`);
 * `stop()` (in `afterAll`, which jest runs also when tests fail) kills every node and removes the dir,
 * a start that fails half-way stops the nodes it had started, and the worker's exit kills any left.
 */
export class RedisCluster {
  /** Each node's process by port (nodes start in any order). */
  private readonly children = new Map<number, ChildProcess>();
  /** Kills the nodes if the worker exits without `stop()` (a test file that failed before its hook). */
  private readonly onExit = () => {
    for (const child of this.children.values()) child.kill('SIGKILL');
  };
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'pristine-redis-cluster-'));
  private nodeTimeoutMs: number | undefined;

  private constructor(readonly ports: number[]) {}

  /** A live seed node's URL; the client discovers the others from it (a dead seed: no start). */
  get url(): string {
    return `redis://127.0.0.1:${this.live()[0]}`;
  }

  static async start(shape: ClusterShape = {}): Promise<RedisCluster> {
    const replicas = shape.replicas ?? 0;
    const ports: number[] = [];
    for (let i = 0; i < 3 * (1 + replicas); i++) ports.push(await closedPort());
    const cluster = new RedisCluster(ports);
    cluster.nodeTimeoutMs = shape.nodeTimeoutMs;
    process.once('exit', cluster.onExit);
    try {
      const started = await Promise.allSettled(ports.map((port) => cluster.spawnNode(port)));
      for (const result of started) if (result.status === 'rejected') throw result.reason;
      const create = spawnSync(
        'redis-cli',
        ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-yes'].concat(
          replicas > 0 ? ['--cluster-replicas', String(replicas)] : [],
        ),
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
      [...this.children.values()].map((child) => {
        if (child.exitCode !== null || child.signalCode !== null) return undefined;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        return exited;
      }),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** SIGSTOP the node on `port` (a hung master: its sockets stay open); `kill` it after. */
  pause(port: number): void {
    this.children.get(port)?.kill('SIGSTOP');
    this.dead.add(port);
  }

  /** SIGKILL the node on `port` (a master dies); its dir stays for `stop()`. */
  async kill(port: number): Promise<void> {
    const child = this.children.get(port);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.dead.add(port);
  }

  /** The port of the master that serves `key`'s slot, as the live nodes see it. */
  masterOf(key: string): number {
    const port = this.live()[0]!;
    const slot = Number(cli(port, 'cluster', 'keyslot', key).trim());
    for (const line of cli(port, 'cluster', 'nodes').split('\n')) {
      const [, address, flags, , , , , , ...ranges] = line.split(' ');
      // 'fail?' is one node's suspicion (a slow node on a loaded machine); 'fail' is the cluster's verdict.
      if (!flags?.split(',').includes('master') || flags.split(',').includes('fail')) continue;
      for (const range of ranges) {
        const [from, to = from] = range.split('-').map(Number);
        if (slot >= from! && slot <= to!) return Number(address!.split('@')[0]!.split(':')[1]);
      }
    }
    throw new Error(`no live master serves slot ${slot}`);
  }

  /** CLUSTER NODES as a live node sees it (for a failure's message). */
  nodes(): string {
    return cli(this.live()[0]!, 'cluster', 'nodes');
  }

  /** Whether a live replica follows the master on `port` (so a failover can promote it). */
  replicated(port: number): boolean {
    const lines = cli(this.live()[0]!, 'cluster', 'nodes').split('\n');
    const id = lines.find((line) => line.split(' ')[1]?.startsWith(`127.0.0.1:${port}@`))?.split(' ')[0];
    return lines.some((line) => {
      const [, , flags, master] = line.split(' ');
      return master === id && flags?.includes('slave') && !flags.includes('fail');
    });
  }

  /**
   * Every live node agrees the cluster is up (slots spread, gossip settled), no master is a dead node
   * (a replica took over each), and every replica is in sync with its master.
   */
  async untilOk(): Promise<void> {
    for (let i = 0; i < 300; i++) {
      if (this.live().every((port) => this.healthy(port))) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(
      `the cluster never reached cluster_state:ok with every slot on a live master:\n${this.nodes()}`,
    );
  }

  private readonly dead = new Set<number>();

  private live(): number[] {
    return this.ports.filter((port) => !this.dead.has(port));
  }

  private healthy(port: number): boolean {
    if (!cli(port, 'cluster', 'info').includes('cluster_state:ok')) return false;
    const replication = cli(port, 'info', 'replication');
    if (replication.includes('role:slave') && !replication.includes('master_link_status:up')) return false;
    const masters = cli(port, 'cluster', 'nodes')
      .split('\n')
      .filter((line) => / (myself,)?master /.test(line) && line.split(' ').length > 8);
    return masters.every((line) => !this.dead.has(Number(line.split(' ')[1]!.split('@')[0]!.split(':')[1])));
  }

  private async spawnNode(port: number): Promise<void> {
    const dir = path.join(this.dir, String(port));
    mkdirSync(dir);
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    args.push('--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--dir', dir);
    // A replica takes over however long since it last heard its master (a quick failover, for tests).
    if (this.nodeTimeoutMs !== undefined) {
      args.push(
        '--cluster-node-timeout',
        String(this.nodeTimeoutMs),
        '--cluster-replica-validity-factor',
        '0',
      );
    }
    this.children.set(port, await spawnRedis(args));
  }
}

/** A redis-cli command's output ('' when the node does not answer). */
function cli(port: number, ...args: string[]): string {
  return (
    spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8', timeout: 5000 }).stdout ?? ''
  );
}
