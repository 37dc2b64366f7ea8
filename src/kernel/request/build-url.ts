import type { CompiledEndpoint } from '../manifest/compile.js';

type QueryValue = string | number | boolean | null | undefined | readonly (string | number | boolean)[];

/**
 * Base URL + expanded path template + query: the plugin's default query (names the endpoint's input or
 * the call does not set), then the input's query keys, then per-call extras.
 */
export function buildUrl(
  baseUrl: string,
  endpoint: CompiledEndpoint,
  input: Record<string, unknown>,
  extraQuery: Record<string, QueryValue>,
  defaultQuery?: Readonly<Record<string, string>>,
): string {
  const params = queryOf(endpoint, input, extraQuery, defaultQuery);
  // Most calls carry no query, and most paths no parameter: their URL is built once per base URL.
  if (params === undefined && endpoint.template.params.length === 0) return fixedUrl(baseUrl, endpoint);
  const path = endpoint.template.expand(input, endpoint.multiSegment);
  const query = params?.toString();
  return `${trimmed(baseUrl)}${path}${query ? `?${query}` : ''}`;
}

/** The URL of a parameterless path without a query, per endpoint and base URL, built on first use. */
const fixedUrls = new WeakMap<CompiledEndpoint, Map<string, string>>();
const MAX_BASE_URLS = 64;

function fixedUrl(baseUrl: string, endpoint: CompiledEndpoint): string {
  let byBase = fixedUrls.get(endpoint);
  if (!byBase) fixedUrls.set(endpoint, (byBase = new Map()));
  let url = byBase.get(baseUrl);
  if (url === undefined) {
    url = `${trimmed(baseUrl)}${endpoint.template.expand({}, endpoint.multiSegment)}`;
    // A per-call base URL could be anything: past the bound, URLs are built per call again.
    if (byBase.size < MAX_BASE_URLS) byBase.set(baseUrl, url);
  }
  return url;
}

function trimmed(baseUrl: string): string {
  return baseUrl.endsWith('/') ? baseUrl.replace(/\/+$/, '') : baseUrl;
}

/**
 * The plugin's default query (names the endpoint's input or the call does not set), then the input's
 * query keys, then per-call extras; undefined when there is none (no URLSearchParams for those calls).
 */
function queryOf(
  endpoint: CompiledEndpoint,
  input: Record<string, unknown>,
  extraQuery: Record<string, QueryValue>,
  defaultQuery: Readonly<Record<string, string>> | undefined,
): URLSearchParams | undefined {
  let params: URLSearchParams | undefined;
  for (const key in defaultQuery) {
    if (!isSet(extraQuery[key]) && !(endpoint.queryKeys.includes(key) && isSet(input[key])))
      params = added(params, key, defaultQuery[key]);
  }
  for (const key of endpoint.queryKeys) params = added(params, key, input[key]);
  for (const key in extraQuery) params = added(params, key, extraQuery[key]);
  return params;
}

function added(
  params: URLSearchParams | undefined,
  key: string,
  value: unknown,
): URLSearchParams | undefined {
  if (value === undefined || value === null) return params;
  params ??= new URLSearchParams();
  if (Array.isArray(value)) for (const item of value) params.append(key, String(item));
  else params.append(key, String(value));
  return params;
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}
