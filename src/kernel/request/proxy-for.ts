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
  return bypass ? undefined : fromEnv;
}
