import type { Dispatcher, Pool as UndiciPool, ProxyAgent } from 'undici';
import { PROXY_CONNECT_TIMEOUT_MS, ProxyTunnelFailure } from './transport-errors.js';
import { Pool, proxyAgentClass } from './undici-parts.js';

type TunnelOptions = Omit<Dispatcher.ConnectOptions, 'origin'>;
type TunnelCallback = (error: Error | null, data: Dispatcher.ConnectData) => void;

/**
 * The client undici's ProxyAgent opens its tunnels with. undici takes a tunnel that fails with a socket
 * error (a proxy that closes the connection on CONNECT) for a passing fault and reconnects at once, for
 * ever, while the request waits deaf to its signal and timeouts (thousands of connections a second); and
 * it reports a refusal (407, 502) as an abort. Here every failure is a `ProxyTunnelFailure`, which undici
 * hands to the requests waiting for that connection, so an attempt opens at most one tunnel.
 */
class TunnelClient extends Pool {
  constructor(
    origin: URL,
    options: UndiciPool.Options,
    private readonly proxy: string,
  ) {
    super(origin, options);
  }

  override connect(options: TunnelOptions): Promise<Dispatcher.ConnectData>;
  override connect(options: TunnelOptions, callback: TunnelCallback): void;
  override connect(
    options: TunnelOptions,
    callback?: TunnelCallback,
  ): Promise<Dispatcher.ConnectData> | void {
    if (callback) return super.connect(options, callback);
    const bounded = { ...options, headersTimeout: PROXY_CONNECT_TIMEOUT_MS } as TunnelOptions;
    return super.connect(bounded).then(
      (data) => {
        if (data.statusCode === 200) return data;
        data.socket.on('error', () => {}).destroy();
        throw new ProxyTunnelFailure(data.statusCode, this.proxy);
      },
      (error: unknown) => {
        throw new ProxyTunnelFailure(undefined, this.proxy, { cause: error });
      },
    );
  }
}

/** A ProxyAgent whose tunnel failures fail the request (typed) instead of looping. */
export function tunnelingProxyAgent(proxy: string, connections: number): ProxyAgent {
  const ProxyAgentClass = proxyAgentClass();
  return new ProxyAgentClass({
    uri: proxy,
    connections,
    clientFactory: (origin, options) => new TunnelClient(origin, options as UndiciPool.Options, proxy),
  });
}
