/** What the emulator reads of a request's target (`req.url`). */
export interface RequestTarget {
  /** The path, percent-decoded: what routes match. */
  path: string;
  /** Path and query string as the URL parser normalizes them (percent-encoding kept): the request log's. */
  logged: string;
  /** The query's parameters (built on first read: most requests have none). */
  readonly query: URLSearchParams;
  /**
   * The target does not parse (`//`, `/\\`) or its percent-encoding does not decode (`%E0%A4%A`): a 400,
   * as no route can match it.
   */
  malformed?: true;
}

/**
 * Paths that WHATWG URL parsing returns exactly as they are: no query, fragment, percent sign, dot
 * segment, backslash, space or other character it would encode, and not `//…` (a host). Every request of
 * a sampling or training run has one (`/api/v1/asample`, `/api/v1/training_runs/S:train:0`).
 */
const PLAIN_PATH = /^\/(?!\/)[A-Za-z0-9_\-:/]*$/;

/**
 * The request target's path, logged form and query. A plain path is taken as it is; anything else goes
 * through `new URL` as before (normalization, percent-decoding of the path, the query).
 */
export function requestTarget(url: string): RequestTarget {
  if (PLAIN_PATH.test(url)) {
    let query: URLSearchParams | undefined;
    return {
      path: url,
      logged: url,
      get query() {
        return (query ??= new URLSearchParams());
      },
    };
  }
  try {
    const parsed = new URL(url, 'http://emulator');
    const logged = parsed.pathname + parsed.search;
    try {
      return { path: decodeURIComponent(parsed.pathname), logged, query: parsed.searchParams };
    } catch {
      return { path: parsed.pathname, logged, query: parsed.searchParams, malformed: true };
    }
  } catch {
    // `//`, `/\`: a host with nothing in it, which the URL parser refuses (TypeError).
    return { path: url, logged: url, query: new URLSearchParams(), malformed: true };
  }
}
