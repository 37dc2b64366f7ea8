import type { Dispatcher, ProxyAgent } from 'undici';
import { poolOfProxyKey, proxyKey } from './pool-keys.js';
import { tunnelingProxyAgent } from './undici-proxy-agent.js';
import { Agent } from './undici-parts.js';

export interface UndiciDispatcherOptions {
  connections?: number | undefined;
  proxy?: string | undefined;
  dispatcher?: Dispatcher | undefined;
}

/**
 * The undici transport's dispatchers: the default pool's agent (or the one passed in), an agent per
 * named pool (`TransportRequest.pool`) and a proxy agent per pool and proxy URL, each made on first use.
 * They are destroyed, not closed: a graceful close would wait for every exchange still on the wire,
 * however long a server holds it.
 */
export class UndiciDispatchers {
  private readonly main: Dispatcher;
  private readonly pools = new Map<string, Dispatcher>();
  private readonly proxies = new Map<string, ProxyAgent>();
  /** The pools still open after `closeExcept` (undefined: all of them). */
  private kept: ReadonlySet<string | undefined> | undefined = undefined;

  constructor(private readonly options: UndiciDispatcherOptions) {
    this.main =
      options.dispatcher ??
      (options.proxy ? tunnelingProxyAgent(options.proxy, this.connections) : this.newAgent());
  }

  /** The dispatcher of a request's pool and proxy. */
  for(pool: string | undefined, proxy: string | undefined): Dispatcher {
    if (proxy) return this.proxyFor(proxy, pool);
    return pool === undefined ? this.main : this.poolFor(pool);
  }

  /** Whether `closeExcept` closed the pool. */
  isClosed(pool: string | undefined): boolean {
    return this.kept !== undefined && !this.kept.has(pool);
  }

  /** Destroy every pool's dispatchers but those of `keep` (a dispatcher passed in is the caller's). */
  closeExcept(keep: ReadonlySet<string | undefined>): Promise<void> {
    this.kept = keep;
    const closing: Dispatcher[] = [];
    if (!keep.has(undefined) && !this.options.dispatcher) closing.push(this.main);
    for (const [pool, agent] of this.pools) if (!keep.has(pool)) closing.push(agent);
    for (const [key, agent] of this.proxies) if (!keep.has(poolOfProxyKey(key))) closing.push(agent);
    return destroyAll(closing);
  }

  /** Destroy them all (a dispatcher passed in is the caller's, left open). */
  close(): Promise<void> {
    const own = this.options.dispatcher ? [] : [this.main, ...this.pools.values()];
    return destroyAll([...own, ...this.proxies.values()]);
  }

  /**
   * Close them gracefully (their transport was collected without `close()`): idle connections close
   * now, an exchange still on the wire finishes first. A dispatcher passed in is the caller's.
   */
  release(): void {
    const own = this.options.dispatcher ? [] : [this.main, ...this.pools.values()];
    for (const d of [...own, ...this.proxies.values()])
      if (!destroyed.has(d)) void d.close().catch(() => undefined);
  }

  private get connections(): number {
    return this.options.connections ?? 256;
  }

  /** A named pool's own agent; a dispatcher passed in serves every pool. */
  private poolFor(pool: string): Dispatcher {
    if (this.options.dispatcher) return this.main;
    let agent = this.pools.get(pool);
    if (!agent) {
      agent = this.newAgent();
      this.pools.set(pool, agent);
    }
    return agent;
  }

  /** The default pool's agent, and each named pool's: the same settings. */
  private newAgent(): Dispatcher {
    return new Agent({ connections: this.connections, keepAliveTimeout: 30_000 });
  }

  private proxyFor(uri: string, pool: string | undefined): ProxyAgent {
    const key = proxyKey(uri, pool);
    let agent = this.proxies.get(key);
    if (!agent) {
      agent = tunnelingProxyAgent(uri, this.connections);
      this.proxies.set(key, agent);
    }
    return agent;
  }
}

/** Destroyed at most once each: closeExcept's, then close()'s, may name the same dispatcher. */
const destroyed = new WeakSet<Dispatcher>();

async function destroyAll(dispatchers: Dispatcher[]): Promise<void> {
  const fresh = dispatchers.filter((d) => !destroyed.has(d));
  for (const d of fresh) destroyed.add(d);
  await Promise.all(fresh.map((d) => d.destroy()));
}
