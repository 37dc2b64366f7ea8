import { createHash } from 'node:crypto';
import type { Connection } from './redis-connection.js';

/** Every script defined, so a connection can load them all as soon as it is ready. */
const SCRIPTS = new Set<LuaScript>();

/** A Lua script run with EVALSHA; loaded when a connection becomes ready (and again after NOSCRIPT). */
export class LuaScript {
  readonly sha: string;
  constructor(
    readonly name: string,
    readonly source: string,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex');
    SCRIPTS.add(this);
  }
}

/** A Redis reply as ioredis decodes it (bulk strings, integers, nil, nested arrays). */
export type Reply = string | number | null | Reply[];

/**
 * SCRIPT LOAD of every script, on the connection or each master of a cluster (EVALSHA goes to the node
 * of the keys' slot); settles when each has answered or failed. A node that has not (a replica
 * promoted later) gets EVAL on its first NOSCRIPT.
 */
export function loadScripts(connection: Connection): Promise<unknown> {
  const nodes = 'nodes' in connection ? connection.nodes('master') : [connection];
  const loads = nodes.flatMap((node) => [...SCRIPTS].map((script) => node.script('LOAD', script.source)));
  return Promise.allSettled(loads);
}
