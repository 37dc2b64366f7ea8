import { OptionChecks } from '../options/option-checks.js';
import type { EndpointSpec } from './types.js';

/**
 * An endpoint's `compress.encoding` against the encodings the bound Compression adapter writes, when
 * it lists them: a misspelt `zstandard` is refused at registration, not at the first call that
 * compresses (where it failed as an untyped "Request failed"). Case and spaces do not matter, as
 * for the adapter.
 */
export function checkEncoding(
  where: string,
  spec: EndpointSpec,
  encodings: readonly string[] | undefined,
): void {
  const compress = spec.compress;
  if (encodings === undefined || typeof compress !== 'object' || compress === null) return;
  if (encodings.includes(compress.encoding.trim().toLowerCase())) return;
  const allowed = encodings.map((encoding) => JSON.stringify(encoding)).join(', ');
  new OptionChecks(where)
    .fail(
      'compress/encoding',
      'enum',
      `must be one of ${allowed} (what the bound Compression adapter writes), got ${JSON.stringify(compress.encoding)}`,
    )
    .throwIfAny();
}
