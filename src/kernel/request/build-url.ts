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
  const path = endpoint.template.expand(input, endpoint.multiSegment);
  const base = baseUrl.endsWith('/') ? baseUrl.replace(/\/+$/, '') : baseUrl;
  let params: URLSearchParams | undefined;
  const add = (key: string, value: unknown) => {
    if (value === undefined || value === null) return;
    params ??= new URLSearchParams();
    if (Array.isArray(value)) for (const item of value) params.append(key, String(item));
    else params.append(key, String(value));
  };
  for (const key in defaultQuery) {
    if (!isSet(extraQuery[key]) && !(endpoint.queryKeys.includes(key) && isSet(input[key])))
      add(key, defaultQuery[key]);
  }
  for (const key of endpoint.queryKeys) add(key, input[key]);
  for (const key in extraQuery) add(key, extraQuery[key]);
  // Most calls carry no query: skip URLSearchParams entirely for them.
  const query = params?.toString();
  return `${base}${path}${query ? `?${query}` : ''}`;
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}
