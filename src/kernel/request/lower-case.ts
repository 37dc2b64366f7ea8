/** Names seen before and their lower-case spelling: the same few dozen header names come by on every attempt. */
const lowered = new Map<string, string>();
const MAX_REMEMBERED_NAMES = 512;

/**
 * `name.toLowerCase()` without a new string per call: V8 returns a fresh copy even when nothing
 * changes, and header names are lower-cased several times per attempt (plugin, per-call and kernel
 * headers, the request-id and secret-header lookups).
 */
export function lowerCased(name: string): string {
  let lower = lowered.get(name);
  if (lower === undefined) {
    lower = name.toLowerCase();
    if (lowered.size < MAX_REMEMBERED_NAMES) lowered.set(name, lower);
  }
  return lower;
}
