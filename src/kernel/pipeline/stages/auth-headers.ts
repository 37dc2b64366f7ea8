import type { AuthScheme } from '../../../ports/auth.js';

/**
 * The header names each auth scheme was seen writing beyond its `secretHeaders` (a custom scheme's
 * `X-Team`). Whatever a scheme writes is a credential: the debug request log masks these names as it
 * masks the declared ones, even for values too short to be scrubbed from text. Weakly held: a scheme
 * dropped with its plugin takes its names along; a scheme writes a handful of names, so each set stays
 * small.
 */
const written = new WeakMap<AuthScheme, Set<string>>();

export function noteWrittenHeader(scheme: AuthScheme, name: string): void {
  let names = written.get(scheme);
  if (!names) written.set(scheme, (names = new Set()));
  names.add(name);
}

/** Every header name the scheme declares or was seen writing. */
export function credentialHeaderNames(scheme: AuthScheme | undefined): readonly string[] {
  if (!scheme) return [];
  const names = written.get(scheme);
  return names ? [...scheme.secretHeaders, ...names] : scheme.secretHeaders;
}

/** The names the scheme was seen writing beyond its declared ones (none: undefined). */
export function writtenHeaders(scheme: AuthScheme): ReadonlySet<string> | undefined {
  return written.get(scheme);
}
