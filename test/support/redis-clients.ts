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

/**
 * Collect garbage and ask the server, until it counts `expected` clients; the count it last saw
 * otherwise. Each turn is a full collection and a round trip to the server (a collected owner's QUIT is
 * answered within one or two), so a test bounds it in turns, never in time.
 */
export async function connectedClientsAfterCollections(
  inspector: Redis,
  expected: number,
  turns = 30,
): Promise<number> {
  let count = await connectedClients(inspector);
  for (let i = 0; i < turns && count !== expected; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    count = await connectedClients(inspector);
  }
  return count;
}
