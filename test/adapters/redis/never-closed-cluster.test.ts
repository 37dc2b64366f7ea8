import { afterAll, beforeAll, beforeEach, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisCluster } from '../../support/redis-cluster.js';
import { expectServedWaiterToExit, runWorker } from '../../support/never-closed.js';
import { describeRedis } from '../../support/redis-server.js';
import { answeringServer } from '../../support/spawned-script.js';

/*
 * As never-closed.test.ts, on a Redis Cluster (three masters, a replica each): every node connection,
 * the subscriber's, and one ioredis opens after a failover must not hold a process that never closes.
 */

/** The connections the node on `port` has accepted so far (INFO's counter), this one's included. */
async function connectionsTo(port: number): Promise<number> {
  const admin = new Redis(port, '127.0.0.1');
  try {
    const stats = await admin.info('stats');
    return Number(/total_connections_received:(\d+)/.exec(stats)?.[1]);
  } finally {
    admin.disconnect();
  }
}

describeRedis('a script with shared Redis Cluster that never calls close()', () => {
  let cluster: RedisCluster;
  let api: Awaited<ReturnType<typeof answeringServer>>;
  const cluster1 = { NC_CLUSTER: '1' };
  beforeAll(async () => {
    cluster = await RedisCluster.start({ replicas: 1, nodeTimeoutMs: 2000 });
    api = await answeringServer();
  });
  beforeEach(() => cluster.untilOk());
  afterAll(async () => {
    try {
      await api?.close();
    } finally {
      await cluster?.stop();
    }
  });

  it('exits by itself with code 0 after one call', async () => {
    const worker = runWorker(cluster.url, api.url, cluster1);
    expect(await worker.line((e) => e.event === 'called')).toEqual({ event: 'called', n: 1, ok: true });
    // Before the fix: killed by the guard, a socket to each master still referenced.
    expect(await worker.exited).toMatchObject({ code: 0, signal: null });
  }, 90_000);

  it(
    'does not exit while its only work is a waiter blocked on the cluster, and exits once served',
    () => expectServedWaiterToExit(cluster.url, api.url, true),
    90_000,
  );

  it('exits by itself after a failover made it connect to the promoted replica', async () => {
    const prefix = `nc-${randomUUID()}:`;
    const worker = runWorker(cluster.url, api.url, { ...cluster1, NC_PREFIX: prefix, NC_CALLS: '2' });
    expect(await worker.line((e) => e.event === 'called')).toEqual({ event: 'called', n: 1, ok: true });
    const key = `${prefix}{sem:nc:jobs:count}`;
    await cluster.kill(cluster.masterOf(key));
    await cluster.untilOk(); // its replica took over
    const promoted = cluster.masterOf(key);
    const before = await connectionsTo(promoted);
    worker.send('go');
    expect(await worker.line((e) => e.event === 'done')).toEqual({ event: 'done' });
    // The script connected to the promoted replica (more than this count's own connection): a node
    // connection ioredis opened after the start, which must not hold the process either.
    expect((await connectionsTo(promoted)) - before).toBeGreaterThan(1);
    expect(await worker.exited).toMatchObject({ code: 0, signal: null });
  }, 90_000);
});
