import type { SamplerRecord } from '../state.js';

/** Prompts remembered per sampler: enough for the prefix reuse of a chat or an RL group, bounded. */
const REMEMBERED = 64;

const prompts = new WeakMap<SamplerRecord, number[][]>();

/**
 * A model of the server's prefix cache, for `prompt_cache_hit_tokens` (SDK 0.23.0+): the longest
 * prefix `prompt` shares with a prompt this sampler saw before (the cache is per sampler, like the KV
 * cache of one served adapter), then `prompt` is remembered. The first prompt of a sampler hits 0.
 */
export function promptCacheHit(sampler: SamplerRecord, prompt: readonly number[]): number {
  const seen = prompts.get(sampler) ?? [];
  let best = 0;
  for (const earlier of seen) {
    const n = Math.min(earlier.length, prompt.length);
    let shared = 0;
    while (shared < n && earlier[shared] === prompt[shared]) shared++;
    best = Math.max(best, shared);
  }
  seen.push([...prompt]);
  if (seen.length > REMEMBERED) seen.shift();
  prompts.set(sampler, seen);
  return best;
}
