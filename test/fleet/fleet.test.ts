import { afterAll, afterEach, beforeAll, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { SystemClock } from '../../src/adapters/clock/system-clock.js';
import { RedisLink } from '../../src/adapters/redis/redis-link.js';
import { RedisSemaphoreFactory } from '../../src/adapters/semaphore/redis-semaphore-factory.js';
import { RedisServer, describeRedis } from '../support/redis-server.js';
import { semaphoreLeases } from '../support/semaphore-leases.js';

/*
 * Worker processes (fleet-worker.ts) share a limiter and a semaphore through a real redis-server,
 * against one local HTTP server that counts the requests it has in flight and throttles with a 429.
 */

const register = fileURLToPath(new URL('../support/ts-loader.mjs', import.meta.url));
const workerFile = fileURLToPath(new URL('./fleet-worker.ts', import.meta.url));

/** The API the fleet calls: holds each request briefly, counts concurrency and window violations. */
class CountingServer {
  readonly server: http.Server;
  url = '';
  inFlight = 0;
  maxInFlight = 0;
  requests = 0;
  /** The request number answered with a 429 (0: never). */
  throttleAt = 0;
  throttled = 0;
  windowFrom = 0;
  windowUntil = 0;
  /** Requests that arrived inside the window (after a grace for checks made before the 429 was known). */
  violations = 0;
  afterWindow = 0;
  readonly late: string[] = [];
  readonly hanging: http.ServerResponse[] = [];
  private waiters: (() => void)[] = [];

  constructor(
    private readonly holdMs: number,
    private readonly graceMs: number,
  ) {
    this.server = http.createServer((req, res) => {
      req.resume();
      const now = performance.now();
      const n = ++this.requests;
      if (now > this.windowFrom + this.graceMs && now < this.windowUntil) {
        this.violations++;
        this.late.push(`${Math.round(now - this.windowFrom)}ms ${req.headers['x-w']}`);
      }
      if (this.windowUntil && now >= this.windowUntil) this.afterWindow++;
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      if (req.url === '/hold') this.hanging.push(res);
      for (const wake of this.waiters.splice(0)) wake();
      if (req.url === '/hold') return;
      setTimeout(() => {
        this.inFlight--;
        if (n === this.throttleAt) {
          this.throttled++;
          this.windowFrom = performance.now();
          this.windowUntil = this.windowFrom + 1500;
          res.writeHead(429, { 'retry-after-ms': '1500', 'content-type': 'application/json' }).end('{}');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      }, this.holdMs);
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Settles once `check` holds, re-checked on every request (no polling). */
  until(check: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const test = () => (check() ? resolve() : this.waiters.push(test));
      test();
    });
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

interface WorkerResult {
  ok: number;
  failed: number;
  errors: string[];
  stderr: string;
}

const children = new Set<ChildProcess>();

function startWorker(env: Record<string, string>): { child: ChildProcess; done: Promise<WorkerResult> } {
  const child = spawn(process.execPath, ['--import', register, workerFile], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const done = new Promise<WorkerResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      children.delete(child);
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`worker exited ${code ?? signal}:\n${stderr}`));
      resolve({ ...(JSON.parse(last) as Omit<WorkerResult, 'stderr'>), stderr });
    });
  });
  // A test that times out never awaits `done`; afterEach then kills the worker: without this, that
  // rejection is unhandled and takes the whole Jest process down with it.
  done.catch(() => {});
  return { child, done };
}

describeRedis('a fleet of worker processes sharing limits through Redis', () => {
  let redis: RedisServer;
  let api: CountingServer;
  const links: RedisLink[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterEach(async () => {
    for (const child of children) child.kill('SIGKILL');
    await api?.close();
  });
  afterAll(async () => {
    await Promise.all(links.map((link) => link.close()));
    await redis?.stop();
  });

  const fleetEnv = (extra: Record<string, string>) => ({
    FLEET_REDIS: redis.url,
    FLEET_PREFIX: `fleet-${randomUUID()}:`,
    FLEET_BASE_URL: api.url,
    ...extra,
  });

  it('never exceeds the shared limit, and after one 429 no worker sends until the window reopens', async () => {
    // A worker may pass its last window check just before the 429 reaches Redis: 300 ms of grace for
    // that on a loaded machine; without sharing, the other workers would send dozens inside the window.
    api = new CountingServer(20, 300);
    api.throttleAt = 12; // the server's quota: the 12th request is the first over it
    await api.listen();
    const env = fleetEnv({ FLEET_LIMIT: '3', FLEET_CALLS: '12', FLEET_PARALLEL: '4' });
    const results = await Promise.all(
      ['w1', 'w2', 'w3'].map((name) => startWorker({ ...env, FLEET_NAME: name }).done),
    );
    for (const result of results) expect(result).toMatchObject({ ok: 12, failed: 0 });
    // Every worker shared through Redis the whole time (a fallback would explain a breach below).
    expect(results.filter((r) => r.stderr.includes('Redis unreachable'))).toEqual([]);
    expect(api.maxInFlight).toBeLessThanOrEqual(3);
    expect(api.maxInFlight).toBeGreaterThan(1); // the workers did run side by side
    expect(api.throttled).toBe(1);
    expect(api.late).toEqual([]);
    expect(api.afterWindow).toBeGreaterThan(0);
  }, 60_000);

  it("gives a killed worker's permits back to the fleet within the lease time", async () => {
    api = new CountingServer(0, 0);
    await api.listen();
    const env = fleetEnv({
      FLEET_LIMIT: '2',
      FLEET_CALLS: '2',
      FLEET_PARALLEL: '2',
      FLEET_PATH: '/hold',
      FLEET_LEASE_MS: '1000',
    });
    const { child, done } = startWorker(env);
    const killed = done.catch((error: unknown) => error);
    await api.until(() => api.hanging.length === 2); // the worker holds both permits
    const link = new RedisLink({ url: redis.url, keyPrefix: env.FLEET_PREFIX });
    links.push(link);
    const semaphore = new RedisSemaphoreFactory(link, new SystemClock(), { leaseMs: 1000 }).create(
      2,
      'fleet:jobs:count',
    );
    const both = Promise.all([semaphore.acquire(), semaphore.acquire()]);
    const exited = new Promise((r) => child.once('close', r));
    child.kill('SIGKILL');
    await exited;
    expect(String(await killed)).toContain('SIGKILL');
    // The dead worker renews no more: these are its leases' final expiries, on Redis's clock.
    const { expiries } = await semaphoreLeases(link, 'fleet:jobs:count');
    expect(expiries).toHaveLength(2);
    const releases = await both; // the test's timeout guards against a hang
    // Granted only once the dead worker's leases had lapsed (on the server's clock, which cannot be
    // faked across processes): the fleet's budget was spent until then.
    expect((await semaphoreLeases(link, 'fleet:jobs:count')).now).toBeGreaterThanOrEqual(
      Math.max(...expiries),
    );
    for (const release of releases) release();
  }, 60_000);

  it('keeps working while Redis restarts (in-process fallback) and shares again once it is back', async () => {
    // Enough work left after the restart (about 3 s at 2 in flight × 20 ms) that workers are still
    // calling when they reconnect (at most 1 s apart): on a fast machine 40 calls each ended first.
    api = new CountingServer(20, 0);
    await api.listen();
    const env = fleetEnv({
      FLEET_LIMIT: '2',
      FLEET_CALLS: '120',
      FLEET_PARALLEL: '3',
      FLEET_LEASE_MS: '1000',
    });
    const workers = ['c1', 'c2', 'c3'].map((name) => startWorker({ ...env, FLEET_NAME: name }).done);
    await api.until(() => api.requests >= 20);
    await redis.halt();
    const atOutage = api.requests;
    await api.until(() => api.requests >= atOutage + 20); // the fleet keeps calling without Redis
    await redis.resume();
    const results = await Promise.all(workers);
    for (const result of results) expect(result).toMatchObject({ ok: 120, failed: 0 });
    const logs = results.map((r) => r.stderr);
    // Logged once per worker that met the outage (on a loaded machine one may start or finish outside it).
    const outageLogs = logs.map((log) => log.match(/Redis unreachable/g)?.length ?? 0);
    expect(Math.max(...outageLogs)).toBe(1);
    // At least one worker found Redis again and wrote its shared state to the fresh server.
    expect(logs.some((log) => log.includes('Redis reachable again'))).toBe(true);
    const probe = new Redis(redis.url);
    try {
      expect(await probe.keys(`${env.FLEET_PREFIX}*`)).not.toHaveLength(0);
    } finally {
      probe.disconnect();
    }
  }, 60_000);
});
