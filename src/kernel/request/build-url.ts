import type { CompiledEndpoint } from '../manifest/compile.js';

type QueryValue = string | number | boolean | null | undefined | readonly (string | number | boolean)[];

/** Base URL + expanded path template + query (input query keys, then per-call extras). */
export function buildUrl(
  baseUrl: string,
  endpoint: CompiledEndpoint,
  input: Record<string, unknown>,
  extraQuery: Record<string, QueryValue>,
): string {
  const path = endpoint.template.expand(input, endpoint.multiSegment);
  const params = new URLSearchParams();
  const add = (key: string, value: unknown) => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) for (const item of value) params.append(key, String(item));
    else params.append(key, String(value));
  };
  for (const key of endpoint.queryKeys) add(key, input[key]);
  for (const [key, value] of Object.entries(extraQuery)) add(key, value);
  const query = params.toString();
  return `${baseUrl.replace(/\/+$/, '')}${path}${query ? `?${query}` : ''}`;
}
