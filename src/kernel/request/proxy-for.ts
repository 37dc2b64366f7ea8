import type { Logger } from '../../ports/logger.js';

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
  return envProxyChoice(url, env).proxy;
}

/** What the environment says for one URL: the proxy and its variable, or the NO_PROXY entry that won. */
interface EnvProxyChoice {
  proxy?: string;
  /** The variable the proxy came from (`HTTPS_PROXY`, `http_proxy`, …). */
  variable?: string;
  /** The NO_PROXY entry that sent the URL direct, and the proxy it would have used. */
  bypass?: { entry: string; proxy: string };
}

function envProxyChoice(url: string, env: NodeJS.ProcessEnv): EnvProxyChoice {
  const target = new URL(url);
  // The first one given, as `??` reads them: an empty HTTPS_PROXY turns the proxy off.
  const names = target.protocol === 'https:' ? PROXY_VARS.slice(0, 4) : PROXY_VARS.slice(2, 4);
  const variable = names.find((name) => env[name] !== undefined);
  const fromEnv = variable === undefined ? undefined : env[variable];
  if (!fromEnv) return {};
  const proxy = envProxyUrl(fromEnv);
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const host = target.hostname.toLowerCase();
  const hostPort = `${host}:${target.port || (target.protocol === 'https:' ? 443 : 80)}`;
  const entry = noProxy.find((entry) => {
    if (entry === '*') return true;
    if (entry.includes(':') && !entry.startsWith('[')) return entry === hostPort;
    const domain = entry.replace(/^\*?\./, '');
    return host === domain || host.endsWith(`.${domain}`);
  });
  return entry === undefined ? { proxy, variable } : { bypass: { entry, proxy } };
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
    private readonly settings: { readonly proxy?: string; readonly proxySource?: string },
    env: NodeJS.ProcessEnv = process.env,
    private readonly onExplicitProxy?: (proxy: string) => void,
  ) {
    for (const name of PROXY_VARS) if (env[name] !== undefined) this.env[name] = env[name];
    this.anyFromEnv = PROXY_VARS.slice(0, 4).some((name) => this.env[name]);
  }

  /**
   * The proxy for `url`. Each new answer (an origin's first, a changed proxy option) is told to `logger`
   * at debug level: which proxy, by host and port only (its URL may hold a password), and why.
   */
  resolve(url: string, logger?: Logger): string | undefined {
    const explicit = this.settings.proxy;
    if (explicit) {
      if (explicit !== this.lastExplicit) {
        this.lastExplicit = explicit;
        this.onExplicitProxy?.(explicit);
        const source = this.settings.proxySource ?? 'the proxy option';
        logger?.debug(`requests go through proxy ${proxyAddress(explicit)} (${source})`);
      }
      return explicit;
    }
    if (!this.anyFromEnv) return undefined;
    const origin = originPrefix(url);
    if (this.byOrigin.has(origin)) return this.byOrigin.get(origin);
    const { proxy, variable, bypass } = envProxyChoice(url, this.env);
    if (this.byOrigin.size >= 1024) this.byOrigin.clear(); // bounded: a few base URLs in practice
    this.byOrigin.set(origin, proxy);
    if (proxy) logger?.debug(`${origin} goes through proxy ${proxyAddress(proxy)} (${variable})`);
    if (bypass)
      logger?.debug(
        `${origin} goes direct, not through proxy ${proxyAddress(bypass.proxy)}: NO_PROXY has "${bypass.entry}"`,
      );
    return proxy;
  }
}

/** A proxy URL's `host:port`, never its user or password. */
function proxyAddress(proxy: string): string {
  try {
    const url = new URL(envProxyUrl(proxy));
    return `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
  } catch {
    return '(not a URL)';
  }
}

/** `scheme://authority` of an absolute URL, without parsing it. */
function originPrefix(url: string): string {
  const authority = url.indexOf('//') + 2;
  const end = url.slice(authority).search(/[/?#]/);
  return end < 0 ? url : url.slice(0, authority + end);
}
