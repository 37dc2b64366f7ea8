/** Origins of the scheme-and-authority prefixes seen, so a burst of refused requests parses its base once. */
const known = new Map<string, string>();

/** Enough for the APIs one process talks to; a process that meets more starts the map over. */
const MAX_KNOWN = 32;

/**
 * `scheme://host:port` of a request URL, for errors to name where a failed request went: never its path
 * or query, which may carry signed tokens. Undefined for a URL that does not parse.
 *
 * Every status error names its origin, and with 5 % faults a `new URL` per refused request was a fifth
 * of a status error's cost (round 37 notes); the origin depends only on the text before the path, so
 * it is parsed once per such prefix. Prefixes holding credentials (`@`) or anything the parser might
 * read differently (`?`, `#`, `\`) are parsed each time and never kept.
 */
export function requestOrigin(url: string): string | undefined {
  const prefix = authorityPrefix(url);
  if (prefix !== undefined) {
    const origin = known.get(prefix);
    if (origin !== undefined) return origin;
  }
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return undefined;
  }
  if (prefix !== undefined) {
    if (known.size >= MAX_KNOWN) known.clear();
    known.set(prefix, origin);
  }
  return origin;
}

/** `scheme://authority` up to the path's first `/`; undefined when the URL is not plainly of that form. */
function authorityPrefix(url: string): string | undefined {
  const start = url.indexOf('://');
  if (start <= 0) return undefined;
  const end = url.indexOf('/', start + 3);
  if (end < 0) return undefined;
  const prefix = url.slice(0, end);
  return /[@?#\\\s]/.test(prefix) ? undefined : prefix;
}
