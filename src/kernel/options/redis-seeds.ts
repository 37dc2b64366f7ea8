/**
 * The seed nodes of `shared.redis`: one URL, or (with `cluster`) several, so that a link starts while a
 * seed is down. ioredis reaches every node of a cluster with one set of credentials and one TLS choice,
 * so every seed must carry the same scheme, user and password as the first (another seed's own would
 * be silently ignored, or used for the nodes found from it by chance).
 */
export function redisSeeds(value: string | readonly string[]): readonly string[] {
  return typeof value === 'string' ? [value] : value;
}

/** Whether two seeds' URLs ask for the same TLS choice, user and password. */
export function sameCredentials(a: URL, b: URL): boolean {
  return a.protocol === b.protocol && a.username === b.username && a.password === b.password;
}

/** Why several seeds are refused without `cluster`, and a seed whose credentials differ. */
export const SEEDS_NEED_CLUSTER =
  'may list several seed nodes only with cluster: true (a single Redis has one address)';
export const SEEDS_DIFFER =
  'must use the same scheme (redis:// or rediss://), user and password as the first seed: every node of a cluster is reached with the same ones';

/**
 * Whether a URL's database part is one ioredis can use: none, `/`, or `/N` (else `?db=N`), N a whole
 * number. ioredis parseInts it: `/abc` became SELECT NaN before every command, an unhandled rejection
 * that ended the process, and `/1.5` or `/-1` quietly meant another database than the one written.
 */
export function hasDatabaseNumber(url: URL): boolean {
  const path = url.pathname.replace(/^\//, '');
  const db = path === '' ? url.searchParams.get('db') : path;
  return db === null || /^\d+$/.test(db);
}

/** Why a URL's database part is refused. */
export const DATABASE_RULE = 'must name its database as a whole database number (/0, /1, …) or not at all';
