/**
 * `scheme://host:port` of a request URL, for errors to name where a failed request went: never its path
 * or query, which may carry signed tokens. Undefined for a URL that does not parse.
 */
export function requestOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
