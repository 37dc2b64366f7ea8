/**
 * The 0.25 form of a token chunk that has no `type`: `{ ...chunk, type: "encoded_text" }`.
 *
 * Why not that spread, or `chunk.type = …` in place: the chunks a ModelInput hands out (`toJSON`, an
 * object spread of its own chunk) carry a map V8 made for the clone, outside any transition tree, so
 * adding `type` to one, or spreading one and adding `type`, gives every chunk a map of its own. In a
 * 2,000-sample fan-out that was a new map (with its descriptors and a property array) per sample, held
 * while the sample was in progress, and an inline-cache miss per sample wherever a chunk is read
 * (`estimateChunkBytes` at dispatch, JSON.stringify). A literal of the two fields shares one map.
 * The JSON is the spread's (a property test compares the two on any chunk).
 */
export function typedTextChunk(chunk: Record<string, unknown>): Record<string, unknown> {
  return tokensOnly(chunk)
    ? { tokens: chunk.tokens, type: 'encoded_text' }
    : { ...chunk, type: 'encoded_text' };
}

/** `chunk`'s one enumerable key is its own `tokens` (what the spread would copy, and nothing else). */
function tokensOnly(chunk: Record<string, unknown>): boolean {
  if (!Object.hasOwn(chunk, 'tokens')) return false;
  let keys = 0;
  for (const key in chunk) if (key !== 'tokens' || ++keys > 1) return false;
  return keys === 1;
}
