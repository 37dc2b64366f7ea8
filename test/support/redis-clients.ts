import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Redis } from 'ioredis';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Clients connected to the server `inspector` is connected to, its own connection included. */
export async function connectedClients(inspector: Redis): Promise<number> {
  const info = await inspector.info('clients');
  return Number(/connected_clients:(\d+)/.exec(info)?.[1]);
}

/** Client connections of one or more servers (a cluster's nodes), as CLIENT LIST tells them. */
export interface ListedClients {
  /** Each client connection but the inspectors' own, as `node:id` (the node: its inspector's index). */
  ids: string[];
  /** Those subscribed to a channel or pattern now (a semaphore waiter listening for a release). */
  subscribers: string[];
}

/**
 * CLIENT LIST of each server an inspector is connected to (one inspector per node), leaving the
 * inspectors out: unlike INFO's count it tells one connection from another, and a subscriber.
 */
export async function listedClients(inspectors: readonly Redis[]): Promise<ListedClients> {
  const listed: ListedClients = { ids: [], subscribers: [] };
  for (const [node, inspector] of inspectors.entries()) {
    const [own, list] = await Promise.all([inspector.client('ID'), inspector.client('LIST')]);
    for (const line of String(list).trim().split('\n')) {
      const fields = new Map(line.split(' ').map((field) => field.split('=', 2) as [string, string]));
      if (fields.get('id') === String(own)) continue;
      const id = `${node}:${fields.get('id')}`;
      listed.ids.push(id);
      const channels = ['sub', 'psub', 'ssub'].reduce((sum, name) => sum + Number(fields.get(name) ?? 0), 0);
      if (channels > 0) listed.subscribers.push(id);
    }
  }
  return listed;
}

/**
 * Collect garbage and ask `count`, until `done` holds for what it says; what it last said otherwise.
 * Each turn is a full collection and a round trip to the server (a collected owner's QUIT is answered
 * within one or two), so a test bounds it in turns, never in time.
 */
export async function afterCollections<T>(
  count: () => Promise<T>,
  done: (counted: T) => boolean,
  turns = 30,
): Promise<T> {
  let counted = await count();
  for (let i = 0; i < turns && !done(counted); i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    counted = await count();
  }
  return counted;
}

/** `afterCollections` of INFO's client count on `inspector`'s server, until it is `expected`. */
export function connectedClientsAfterCollections(
  inspector: Redis,
  expected: number,
  turns = 30,
): Promise<number> {
  return afterCollections(
    () => connectedClients(inspector),
    (count) => count === expected,
    turns,
  );
}
