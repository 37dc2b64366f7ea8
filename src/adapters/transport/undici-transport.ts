import { Agent, ProxyAgent, interceptors, request, type Dispatcher } from 'undici';
import type { Transport, TransportRequest, TransportResponse } from '../../ports/transport.js';
import { toTransportError } from './transport-errors.js';

export interface UndiciTransportOptions {
  /** Connections per origin. */
  connections?: number;
  /** Route every request through this proxy (credentials in the URL are sent as Proxy-Authorization). */
  proxy?: string;
}

/**
 * The fetch-family transport, on undici's `request` (the engine under Node's fetch, without the WHATWG
 * stream wrapping). Same contract as the got adapter: no retries, a timeout always set, streamed bodies,
 * redirects per endpoint, never a hand-set `Connection` header.
 */
export class UndiciTransport implements Transport {
  readonly name = 'undici';
  private readonly dispatcher: Dispatcher;
  /** The same pool, following redirects (undici 7 moved redirects into an interceptor). */
  private readonly following: Dispatcher;
  private readonly proxies = new Map<string, ProxyAgent>();

  constructor(private readonly options: UndiciTransportOptions = {}) {
    this.dispatcher = options.proxy
      ? new ProxyAgent({ uri: options.proxy, connections: options.connections ?? 256 })
      : new Agent({ connections: options.connections ?? 256, keepAliveTimeout: 30_000 });
    this.following = this.dispatcher.compose(interceptors.redirect({ maxRedirections: 10 }));
  }

  async send(req: TransportRequest): Promise<TransportResponse> {
    try {
      const response = await request(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body as never,
        signal: req.signal,
        dispatcher: req.proxy
          ? this.proxyFor(req.proxy)
          : req.redirect === 'follow'
            ? this.following
            : this.dispatcher,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.streaming ? 0 : req.timeoutMs,
      } as Parameters<typeof request>[1]);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined)
          headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
      }
      const body = response.body;
      return {
        status: response.statusCode,
        headers,
        body: guarded(body, req.signal),
        cancel: () => {
          body.on('error', () => {}); // destroying an unread body reports an abort nobody awaits
          body.destroy();
        },
      };
    } catch (error) {
      throw toTransportError(error as Error, req.signal);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.dispatcher.close(), ...[...this.proxies.values()].map((p) => p.close())]);
  }

  private proxyFor(uri: string): ProxyAgent {
    let agent = this.proxies.get(uri);
    if (!agent) this.proxies.set(uri, (agent = new ProxyAgent(uri)));
    return agent;
  }
}

async function* guarded(body: AsyncIterable<Uint8Array>, signal?: AbortSignal): AsyncIterable<Uint8Array> {
  try {
    for await (const chunk of body) yield chunk;
  } catch (error) {
    throw toTransportError(error as Error, signal);
  }
}
