/**
 * The proxy for one URL: an explicit setting wins; otherwise HTTPS_PROXY / HTTP_PROXY by scheme (either
 * case), unless NO_PROXY lists the host (`*`, exact hosts, `.suffix` or `suffix` domains, `host:port`).
 */
export function proxyFor(
  url: string,
  explicit: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (explicit) return explicit;
  const target = new URL(url);
  const fromEnv =
    target.protocol === 'https:'
      ? (env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy)
      : (env.HTTP_PROXY ?? env.http_proxy);
  if (!fromEnv) return undefined;
  const proxy = envProxyUrl(fromEnv);
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const host = target.hostname.toLowerCase();
  const hostPort = `${host}:${target.port || (target.protocol === 'https:' ? 443 : 80)}`;
  const bypass = noProxy.some((entry) => {
    if (entry === '*') return true;
    if (entry.includes(':') && !entry.startsWith('[')) return entry === hostPort;
    const domain = entry.replace(/^\*?\./, '');
    return host === domain || host.endsWith(`.${domain}`);
  });
  return bypass ? undefined : proxy;
}

/**
 * A proxy variable's value as a URL: `host:port` and `user:pass@host:port` without a scheme mean
 * `http://…`, as curl, Python's httpx (the official SDK's client) and requests read them.
 */
export function envProxyUrl(value: string): string {
  return /^[a-z][a-z\d+.-]*:\/\//i.test(value) ? value : `http://${value}`;
}

const PROXY_VARS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'];

/**
 * `proxyFor` for one kernel: the environment is read once, when the kernel is created (the same moment
 * its proxy credentials are registered as secrets, so a proxy added later could not leak them either),
 * and each origin's answer is cached, so a call costs a map lookup rather than a URL parse.
 */
export class ProxyResolver {
  private readonly env: NodeJS.ProcessEnv = {};
  private readonly anyFromEnv: boolean;
  private readonly byOrigin = new Map<string, string | undefined>();
  private lastExplicit: string | undefined;

  /**
   * `settings.proxy` is read on each call (it may be changed on a live kernel); the env only once.
   * `onExplicitProxy` hears each new explicit proxy before it is used, so its credentials can be
   * registered as secrets even when the setting changed after the kernel was created.
   */
  constructor(
    private readonly settings: { readonly proxy?: string },
    env: NodeJS.ProcessEnv = process.env,
    private readonly onExplicitProxy?: (proxy: string) => void,
  ) {
    for (const name of PROXY_VARS) if (env[name] !== undefined) this.env[name] = env[name];
    this.anyFromEnv = PROXY_VARS.slice(0, 4).some((name) => this.env[name]);
  }

  resolve(url: string): string | undefined {
    const explicit = this.settings.proxy;
    if (explicit) {
      if (explicit !== this.lastExplicit) {
        this.lastExplicit = explicit;
        this.onExplicitProxy?.(explicit);
      }
      return explicit;
    }
    if (!this.anyFromEnv) return undefined;
    const origin = originPrefix(url);
    if (this.byOrigin.has(origin)) return this.byOrigin.get(origin);
    const proxy = proxyFor(url, undefined, this.env);
    if (this.byOrigin.size >= 1024) this.byOrigin.clear(); // bounded: a few base URLs in practice
    this.byOrigin.set(origin, proxy);
    return proxy;
  }
}

/** `scheme://authority` of an absolute URL, without parsing it. */
function originPrefix(url: string): string {
  const authority = url.indexOf('//') + 2;
  const end = url.slice(authority).search(/[/?#]/);
  return end < 0 ? url : url.slice(0, authority + end);
}
