/**
 * Keys of the proxy agents both transports keep per connection pool and proxy URL. A proxy URL never
 * holds a line break, so the pool name is everything before the first one.
 */
export function proxyKey(proxy: string, pool: string | undefined): string {
  return pool === undefined ? proxy : `${pool}\n${proxy}`;
}

/** The pool a `proxyKey` belongs to (undefined: the default pool). */
export function poolOfProxyKey(key: string): string | undefined {
  const lineBreak = key.indexOf('\n');
  return lineBreak < 0 ? undefined : key.slice(0, lineBreak);
}
