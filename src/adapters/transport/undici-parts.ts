import { createRequire } from 'node:module';
import type * as Undici from 'undici';

/*
 * The parts of undici the transport uses, loaded from their own files instead of the package index.
 * Why: undici's index.js also loads fetch, WebSocket, EventSource, the cache stores, the interceptors
 * and the mock agent, about 3 MB of live heap kept for the life of the process (`import('tinkex')`
 * RSS 71 -> 62 MiB; docs/performance-notes.md, round 8). The kernel pins undici to one exact version, whose
 * layout these paths name; a test holds them to the index's own exports.
 *
 * What the index does on load that the transport relies on is done here too, the same way: it mixes the
 * request API into `Dispatcher.prototype` (`agent.request`), and lib/global.js installs a global
 * dispatcher when none is set (Node's own fetch then uses it, as it did with the index loaded).
 */
const require = createRequire(import.meta.url);

const Dispatcher = require('undici/lib/dispatcher/dispatcher') as { prototype: object };
Object.assign(Dispatcher.prototype, require('undici/lib/api') as object);
require('undici/lib/global');

export const Agent = require('undici/lib/dispatcher/agent') as typeof Undici.Agent;
export const Pool = require('undici/lib/dispatcher/pool') as typeof Undici.Pool;

/** undici's ProxyAgent, loaded when the first proxy is used. */
export function proxyAgentClass(): typeof Undici.ProxyAgent {
  return require('undici/lib/dispatcher/proxy-agent') as typeof Undici.ProxyAgent;
}

/**
 * undici's `request(url, options)`, for the URLs the transport does not split itself (unusual origins
 * and paths, see UndiciTransport.split): that one parse lives in the index, which loads at the first
 * such URL.
 */
export function request(...args: Parameters<typeof Undici.request>): ReturnType<typeof Undici.request> {
  return (require('undici') as typeof Undici).request(...args);
}

/**
 * How many body bytes undici received for `body` (its BodyReadable counts every chunk it pushes, under
 * a private symbol), for the message of a body cut short while read whole (`arrayBuffer()`, which keeps
 * no count once it fails). Read only on that failure, so no chunk costs anything more; `undefined` if
 * the pinned version ever stops keeping it (a transport contract test would then fail).
 */
export function bodyBytesRead(body: object): number | undefined {
  const key = Object.getOwnPropertySymbols(body).find((symbol) => symbol.description === 'kBytesRead');
  const count: unknown = key === undefined ? undefined : (body as Record<symbol, unknown>)[key];
  return typeof count === 'number' ? count : undefined;
}
